package crashtest

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"clinicdesk/backend/access"
	"clinicdesk/backend/audit"
	"clinicdesk/backend/desk"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/store"
	"clinicdesk/backend/testutil"
)

const (
	envDir   = "CLINICDESK_CRASH_DIR"   // the child's data directory
	envAck   = "CLINICDESK_CRASH_ACK"   // the child's acknowledgement log
	envSeed  = "CLINICDESK_CRASH_SEED"  // the child's (or the whole run's) random seed
	envKills = "CLINICDESK_CRASH_KILLS" // how many kills the parent does (default 20)
)

// record is one line of the acknowledgement log. The child writes a
// "begin" line before an operation and an "ack" line (fsynced) once the
// service returned success, i.e. the transaction committed.
type record struct {
	Run    int      `json:"run"`
	N      int      `json:"n"`
	Phase  string   `json:"phase"` // start | begin | ack | fail
	Op     string   `json:"op,omitempty"`
	Thread string   `json:"thread,omitempty"`
	Msg    string   `json:"msg,omitempty"`
	Att    string   `json:"att,omitempty"`
	Atts   []string `json:"atts,omitempty"`
	Doc    string   `json:"doc,omitempty"`
	Blobs  []string `json:"blobs,omitempty"`
	Shared bool     `json:"shared,omitempty"`
	Err    string   `json:"err,omitempty"`
}

// ---- child ----

type child struct {
	d     *desk.Desk
	rng   *rand.Rand
	ack   *os.File
	src   string
	run   int
	n     int
	staff []store.Staff
}

func (c *child) log(r record) {
	r.Run = c.run
	b, _ := json.Marshal(r)
	if _, err := c.ack.Write(append(b, '\n')); err != nil {
		fmt.Fprintln(os.Stderr, "ack log:", err)
		os.Exit(4)
	}
	if r.Phase == "ack" || r.Phase == "start" {
		if err := c.ack.Sync(); err != nil {
			fmt.Fprintln(os.Stderr, "ack log sync:", err)
			os.Exit(4)
		}
	}
}

// TestCrashChild is not a test on its own: TestCrashSafety runs this binary
// again with only it selected, and it works on the desk until it is killed.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(envDir)
	if dir == "" {
		t.Skip("runs only as the child of TestCrashSafety")
	}
	seed, _ := strconv.ParseUint(os.Getenv(envSeed), 10, 64)
	ack, err := os.OpenFile(os.Getenv(envAck), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	d, err := desk.Open(context.Background(), dir, desk.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		os.Exit(2)
	}
	c := &child{d: d, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), ack: ack, src: filepath.Join(filepath.Dir(dir), "src"), run: int(seed)}
	os.MkdirAll(c.src, 0o700)
	d.DB.Where("active = ?", true).Order("id").Find(&c.staff)
	c.log(record{Phase: "start"})
	fmt.Println("ready")
	for {
		c.n++
		c.step()
	}
}

func (c *child) actor(managerOnly bool) access.Actor {
	for {
		s := c.staff[c.rng.IntN(len(c.staff))]
		if !managerOnly || s.Role == store.RoleOwner || s.Role == store.RoleManager {
			return access.Actor{StaffID: s.ID, Role: s.Role, Name: s.FullName()}
		}
	}
}

// pick returns one id from a query, or "" when it finds none.
func (c *child) pick(q string, args ...any) string {
	var ids []string
	c.d.DB.Raw(q+` ORDER BY random() LIMIT 1`, args...).Scan(&ids)
	if len(ids) == 0 {
		return ""
	}
	return ids[0]
}

// file writes a new text file of random size (mostly small, sometimes a
// few MB so kills land inside a Put) and returns its path.
func (c *child) file() string {
	size := 200 + c.rng.IntN(60<<10)
	switch r := c.rng.IntN(20); {
	case r == 0:
		size = 2<<20 + c.rng.IntN(2<<20)
	case r < 5:
		size = 64<<10 + c.rng.IntN(900<<10)
	}
	p := filepath.Join(c.src, fmt.Sprintf("run%d-op%d.txt", c.run, c.n))
	w, err := os.Create(p)
	if err != nil {
		panic(err)
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "crash test file run %d op %d %d\n", c.run, c.n, c.rng.Uint64())
	line := []byte("the quick brown fox jumps over the lazy dog 0123456789\n")
	for written := 0; written < size; written += len(line) {
		line[0] = 'a' + byte(c.rng.IntN(26))
		bw.Write(line)
	}
	bw.Flush()
	w.Close()
	return p
}

// stage stages a new file for a and returns it with its content's SHA-256
// (the token is random: it says nothing about the bytes).
func (c *child) stage(a access.Actor) (dto.StagedFile, string, error) {
	p := c.file()
	sf, err := c.d.Attachments.Stage(context.Background(), a, p, nil)
	if err != nil {
		return sf, "", err
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return sf, "", err
	}
	sum := sha256.Sum256(b)
	return sf, hex.EncodeToString(sum[:]), nil
}

const visibleTo = `(a.shared_with_staff = 1 OR EXISTS (SELECT 1 FROM participants p WHERE p.thread_id = a.thread_id AND p.kind = 'staff' AND p.person_id = ?))`

func (c *child) step() {
	r := record{N: c.n}
	var run func() error
	switch k := c.rng.IntN(100); {
	case k < 18: // compose, with a file half of the time
		r.Op = "compose"
		a := c.actor(false)
		client := c.pick(`SELECT id FROM clients`)
		run = func() error {
			req := dto.ComposeRequest{ClientID: client, Subject: fmt.Sprintf("crash %d/%d", c.run, c.n), Body: fmt.Sprintf("crash message %d/%d", c.run, c.n)}
			if c.rng.IntN(2) == 0 {
				sf, sha, err := c.stage(a)
				if err != nil {
					return err
				}
				req.Files = []dto.OutgoingFile{{Token: sf.Token, Name: sf.Name}}
				r.Blobs = []string{sha}
			}
			th, err := c.d.Messages.Compose(a, req)
			if err != nil {
				return err
			}
			r.Thread, r.Msg = th.ID, th.Messages[0].ID
			for _, at := range th.Messages[0].Attachments {
				r.Atts = append(r.Atts, at.ID)
			}
			return nil
		}
	case k < 36: // reply
		r.Op = "reply"
		a := c.actor(false)
		thread := c.pick(`SELECT thread_id FROM participants WHERE kind = 'staff' AND person_id = ?`, a.StaffID)
		if thread == "" {
			return
		}
		run = func() error {
			req := dto.ReplyRequest{ThreadID: thread, Body: fmt.Sprintf("crash message %d/%d", c.run, c.n)}
			if c.rng.IntN(3) == 0 {
				sf, sha, err := c.stage(a)
				if err != nil {
					return err
				}
				req.Files = []dto.OutgoingFile{{Token: sf.Token, Name: sf.Name}}
				r.Blobs = []string{sha}
			}
			th, err := c.d.Messages.Reply(a, req)
			if err != nil {
				return err
			}
			r.Thread = thread
			for _, m := range th.Messages {
				if m.Mine && m.ID > r.Msg {
					r.Msg, r.Atts = m.ID, nil
					for _, at := range m.Attachments {
						r.Atts = append(r.Atts, at.ID)
					}
				}
			}
			return nil
		}
	case k < 52: // share or make private
		r.Op = "share"
		a := c.actor(false)
		r.Att = c.pick(`SELECT a.id FROM attachments a WHERE a.removed_at IS NULL AND ((a.sender_kind = 'staff' AND a.sender_id = ?)
			OR (a.sender_kind = 'client' AND EXISTS (SELECT 1 FROM participants p WHERE p.thread_id = a.thread_id AND p.kind = 'staff' AND p.person_id = ?)))`, a.StaffID, a.StaffID)
		if r.Att == "" {
			return
		}
		var shared []bool
		c.d.DB.Raw(`SELECT shared_with_staff FROM attachments WHERE id = ?`, r.Att).Scan(&shared)
		r.Shared = !shared[0]
		run = func() error { _, err := c.d.Attachments.SetShared(a, r.Att, r.Shared); return err }
	case k < 64: // delete (Records Deletion is on)
		r.Op = "delete"
		a := c.actor(true)
		r.Att = c.pick(`SELECT a.id FROM attachments a WHERE a.removed_at IS NULL AND `+visibleTo, a.StaffID)
		if r.Att == "" {
			return
		}
		run = func() error { return c.d.Attachments.Delete(a, r.Att) }
	case k < 72: // restore
		r.Op = "restore"
		a := c.actor(true)
		r.Att = c.pick(`SELECT id FROM attachments WHERE removed_at IS NOT NULL AND purged_at IS NULL`)
		if r.Att == "" {
			return
		}
		run = func() error { return c.d.Attachments.Restore(a, r.Att) }
	case k < 84: // copy to Documents on File
		r.Op = "copy"
		a := c.actor(false)
		r.Att = c.pick(`SELECT a.id FROM attachments a WHERE a.removed_at IS NULL AND `+visibleTo, a.StaffID)
		if r.Att == "" {
			return
		}
		client := c.pick(`SELECT person_id FROM participants WHERE kind = 'client' AND thread_id = (SELECT thread_id FROM attachments WHERE id = ?)`, r.Att)
		run = func() error {
			doc, err := c.d.Attachments.CopyToDocuments(a, r.Att, client)
			r.Doc = doc.ID
			return err
		}
	case k < 92: // a file dropped on Documents on File
		r.Op = "document"
		a := c.actor(false)
		client := c.pick(`SELECT id FROM clients`)
		run = func() error {
			sf, sha, err := c.stage(a)
			if err != nil {
				return err
			}
			r.Blobs = []string{sha}
			doc, err := c.d.Attachments.AddDocument(a, client, sf.Token, sf.Name)
			r.Doc = doc.ID
			return err
		}
	default: // a file imported and staged, not yet sent: its bytes need not
		// outlive the session (nothing names them), so only the staging is run
		r.Op = "stage"
		a := c.actor(false)
		run = func() error {
			_, _, err := c.stage(a)
			return err
		}
	}
	begin := r
	begin.Phase = "begin"
	c.log(begin)
	if err := run(); err != nil {
		r.Phase, r.Err = "fail", err.Error()
		c.log(r)
		return
	}
	r.Phase = "ack"
	c.log(r)
}

// ---- parent ----

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills child processes")
	}
	kills := envInt(envKills, 20)
	seed := uint64(envInt(envSeed, int(time.Now().UnixNano()%1_000_000_007)))
	rng := rand.New(rand.NewPCG(seed, 7))
	t.Logf("seed %d (replay with %s=%d), %d kills", seed, envSeed, seed, kills)

	base := t.TempDir()
	dir := filepath.Join(base, "ClinicDesk")
	ackPath := filepath.Join(base, "ack.log")
	d, err := desk.Open(context.Background(), dir, desk.Options{Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	var owner store.Staff
	d.DB.Where("role = ?", store.RoleOwner).First(&owner)
	if _, err := d.Settings.SetRecordsDeletion(testutil.Actor(owner), true); err != nil {
		t.Fatal(err)
	}
	d.Close()

	start := time.Now()
	st := &stats{}
	for i := 1; i <= kills; i++ {
		early := i%4 == 0 // every fourth kill may land while the desk opens
		runChild(t, dir, ackPath, uint64(i)+seed*1000, rng, early)
		check(t, dir, ackPath, st)
		if t.Failed() {
			t.Fatalf("invariants broken after kill %d (seed %d)", i, seed)
		}
	}
	t.Logf("%d kills in %v: %d operations acknowledged (%s), %d in flight at a kill, %d partial temp files found and removed on reopen; %d messages, %d attachments, %d documents, %d audit entries at the end",
		kills, time.Since(start).Round(time.Millisecond), st.acked, st.opSummary(), st.inFlight, st.partials, st.messages, st.attachments, st.documents, st.auditEntries)
	if st.acked < kills {
		t.Fatalf("only %d operations acknowledged: the child hardly ran", st.acked)
	}
}

func runChild(t *testing.T, dir, ackPath string, seed uint64, rng *rand.Rand, early bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), envDir+"="+dir, envAck+"="+ackPath, fmt.Sprintf("%s=%d", envSeed, seed))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if sc.Text() == "ready" {
				close(ready)
				break
			}
		}
		for sc.Scan() {
		}
	}()
	go func() { exited <- cmd.Wait() }()
	if early {
		time.Sleep(time.Duration(rng.IntN(150)) * time.Millisecond)
	} else {
		select {
		case <-ready:
		case err := <-exited:
			t.Fatalf("child exited before it was ready: %v\n%s", err, stderr.String())
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Fatal("child never got ready")
		}
		time.Sleep(time.Duration(50+rng.IntN(351)) * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: nothing gets to clean up
		t.Fatal(err)
	}
	if err := <-exited; err == nil {
		t.Fatalf("child exited on its own:\n%s", stderr.String())
	}
	if s := stderr.String(); strings.Contains(s, "panic") || strings.Contains(s, "ack log") {
		t.Fatalf("child failed:\n%s", s)
	}
}

type stats struct {
	acked, inFlight, partials                      int
	ops                                            map[string]int
	messages, attachments, documents, auditEntries int64
}

func (s *stats) opSummary() string {
	var parts []string
	for _, op := range []string{"compose", "reply", "share", "delete", "restore", "copy", "document", "stage"} {
		parts = append(parts, fmt.Sprintf("%s %d", op, s.ops[op]))
	}
	return strings.Join(parts, ", ")
}

// expectation is what the log says an attachment's flag must be: want, or
// (when an operation on it was in flight at a kill) either want or alt.
type expectation struct {
	want, alt bool
	sure      bool
}

func readLog(t *testing.T, path string) []record {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var recs []record
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			continue // a line cut by the kill was never acknowledged
		}
		recs = append(recs, r)
	}
	return recs
}

func check(t *testing.T, dir, ackPath string, st *stats) {
	t.Helper()
	ctx := context.Background()
	// What the kill left in the store's temp folder: partial files, never blobs.
	if ents, err := os.ReadDir(filepath.Join(dir, "files", "tmp")); err == nil {
		st.partials += len(ents)
	}
	d, err := desk.Open(ctx, dir, desk.Options{})
	if err != nil {
		t.Fatalf("the desk does not open after a kill: %v", err)
	}
	defer d.Close()
	db := d.DB

	var ic []string
	db.Raw(`PRAGMA integrity_check`).Scan(&ic)
	if len(ic) != 1 || ic[0] != "ok" {
		t.Errorf("integrity_check: %v", ic)
	}
	var fk []map[string]any
	db.Raw(`PRAGMA foreign_key_check`).Scan(&fk)
	if len(fk) != 0 {
		t.Errorf("foreign_key_check: %v", fk)
	}
	if err := db.Exec(`INSERT INTO messages_fts(messages_fts) VALUES('integrity-check')`).Error; err != nil {
		t.Errorf("message search index: %v", err)
	}
	if err := audit.Verify(db.DB); err != nil {
		t.Errorf("audit chain: %v", err)
	}
	rep, err := d.Attachments.StoreCheck(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Missing) != 0 || len(rep.Corrupt) != 0 || len(rep.Stray) != 0 || len(rep.StaleTemp) != 0 || len(rep.InvalidExpected) != 0 {
		t.Errorf("blob store after a kill: missing %v corrupt %v stray %v stale temp %v", rep.Missing, rep.Corrupt, rep.Stray, rep.StaleTemp)
	}
	if ents, _ := os.ReadDir(filepath.Join(dir, "files", "tmp")); len(ents) != 0 {
		t.Errorf("%d temp files survived reopening", len(ents))
	}

	// Nothing half-written: every thread has a message, a staff member and a
	// client; every attachment and document has its blob row and bytes.
	var n int64
	db.Raw(`SELECT COUNT(*) FROM threads t WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.thread_id = t.id)
		OR NOT EXISTS (SELECT 1 FROM participants p WHERE p.thread_id = t.id AND p.kind = 'staff')
		OR NOT EXISTS (SELECT 1 FROM participants p WHERE p.thread_id = t.id AND p.kind = 'client')`).Scan(&n)
	if n != 0 {
		t.Errorf("%d threads are half-written", n)
	}
	var shas []string
	db.Raw(`SELECT blob_sha256 FROM attachments WHERE purged_at IS NULL UNION SELECT blob_sha256 FROM documents`).Scan(&shas)
	for _, s := range shas {
		var rows int64
		db.Model(&store.Blob{}).Where("sha256 = ?", s).Count(&rows)
		if rows != 1 || !d.Blobs.Has(s) {
			t.Errorf("blob %s is referenced but its row (%d) or file is missing", s, rows)
		}
	}
	// Every message the child wrote, acknowledged or not, landed with its
	// audit entry and its change-log entry in the same transaction.
	var orphans int64
	db.Raw(`SELECT COUNT(*) FROM messages m WHERE m.body LIKE 'crash message %'
		AND (NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.action IN ('compose','reply') AND e.thread_id = m.thread_id AND json_extract(e.detail, '$.message') = m.id)
		  OR NOT EXISTS (SELECT 1 FROM changes c WHERE c.entity = 'message' AND c.entity_id = m.id))`).Scan(&orphans)
	if orphans != 0 {
		t.Errorf("%d messages without their audit or change-log entry", orphans)
	}

	// Every acknowledged change is there.
	recs := readLog(t, ackPath)
	shared := map[string]*expectation{}
	removed := map[string]*expectation{}
	set := func(m map[string]*expectation, id string, v bool) {
		e := m[id]
		if e == nil {
			e = &expectation{}
			m[id] = e
		}
		e.want, e.alt, e.sure = v, v, true
	}
	var pending *record
	flush := func() { // the run ended with an operation in flight
		if pending == nil {
			return
		}
		st.inFlight++
		switch pending.Op {
		case "share":
			if e := shared[pending.Att]; e != nil {
				e.alt, e.sure = pending.Shared, false
			}
		case "delete", "restore":
			if e := removed[pending.Att]; e != nil {
				e.alt, e.sure = pending.Op == "delete", false
			}
		}
		pending = nil
	}
	st.acked, st.ops, st.inFlight = 0, map[string]int{}, 0
	for i := range recs {
		r := recs[i]
		switch r.Phase {
		case "start":
			flush()
		case "begin":
			flush()
			pending = &recs[i]
			// The child read the committed state just before: it must
			// agree with the log, and from here it is the expectation.
			observe := func(m map[string]*expectation, v bool, what string) {
				if e := m[r.Att]; e != nil && e.want != v && e.alt != v {
					t.Errorf("run %d op %d saw attachment %s %s = %v; the log says %v", r.Run, r.N, r.Att, what, v, e.want)
				}
				set(m, r.Att, v)
			}
			switch r.Op {
			case "share":
				observe(shared, !r.Shared, "shared")
				observe(removed, false, "removed")
			case "delete", "copy":
				observe(removed, false, "removed")
			case "restore":
				observe(removed, true, "removed")
			}
		case "fail":
			pending = nil
		case "ack":
			pending = nil
			st.acked++
			st.ops[r.Op]++
			switch r.Op {
			case "compose", "reply":
				mustExist(t, db.DB, "messages", r.Msg, r)
				mustExist(t, db.DB, "threads", r.Thread, r)
				for _, a := range r.Atts {
					mustExist(t, db.DB, "attachments", a, r)
				}
			case "share":
				set(shared, r.Att, r.Shared)
			case "delete":
				set(removed, r.Att, true)
			case "restore":
				set(removed, r.Att, false)
			case "copy", "document":
				mustExist(t, db.DB, "documents", r.Doc, r)
			}
			for _, b := range r.Blobs {
				var rows int64
				db.Model(&store.Blob{}).Where("sha256 = ?", b).Count(&rows)
				if rows != 1 || d.Blobs.Verify(b) != nil {
					t.Errorf("acknowledged file %s (%s %d/%d) is missing or damaged", b, r.Op, r.Run, r.N)
				}
			}
		}
	}
	flush()
	for id, e := range shared {
		var v []bool
		db.Raw(`SELECT shared_with_staff FROM attachments WHERE id = ?`, id).Scan(&v)
		if len(v) != 1 || (v[0] != e.want && v[0] != e.alt) {
			t.Errorf("attachment %s shared = %v, want %v (or %v)", id, v, e.want, e.alt)
		}
	}
	for id, e := range removed {
		var v []bool
		db.Raw(`SELECT removed_at IS NOT NULL FROM attachments WHERE id = ?`, id).Scan(&v)
		if len(v) != 1 || (v[0] != e.want && v[0] != e.alt) {
			t.Errorf("attachment %s removed = %v, want %v (or %v)", id, v, e.want, e.alt)
		}
	}
	db.Model(&store.Message{}).Count(&st.messages)
	db.Model(&store.Attachment{}).Count(&st.attachments)
	db.Model(&store.Document{}).Count(&st.documents)
	db.Model(&store.AuditEvent{}).Count(&st.auditEntries)
}

func mustExist(t *testing.T, db *gorm.DB, table, id string, r record) {
	t.Helper()
	var n int64
	db.Table(table).Where("id = ?", id).Count(&n)
	if id == "" || n != 1 {
		t.Errorf("acknowledged %s %d/%d: %s %q is missing", r.Op, r.Run, r.N, table, id)
	}
}
