package backup

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"clinicdesk/backend/access"
	"clinicdesk/backend/apperr"
	"clinicdesk/backend/audit"
	"clinicdesk/backend/clock"
	"clinicdesk/backend/desk"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/store"
	"clinicdesk/backend/testutil"
)

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// openDemo opens the demo practice in a data directory of its own, inside a
// parent folder the test can watch for leftovers.
func openDemo(t testing.TB) (*desk.Desk, *clock.Fixed) {
	t.Helper()
	clk := clock.NewFixed(testutil.Now)
	dir := filepath.Join(t.TempDir(), "ClinicDesk")
	d, err := desk.Open(context.Background(), dir, desk.Options{Demo: true, Clock: clk})
	must(t, err)
	t.Cleanup(func() { d.Close() })
	return d, clk
}

func reopen(t testing.TB, dir string, clk clock.Clock) *desk.Desk {
	t.Helper()
	d, err := desk.Open(context.Background(), dir, desk.Options{Clock: clk})
	must(t, err)
	t.Cleanup(func() { d.Close() })
	return d
}

func staffByRole(t testing.TB, d *desk.Desk, role string) access.Actor {
	t.Helper()
	var s store.Staff
	must(t, d.DB.Where("role = ?", role).Order("first_name").First(&s).Error)
	return testutil.Actor(s)
}

func stageFile(t testing.TB, d *desk.Desk, a access.Actor, name string, data []byte) dto.StagedFile {
	t.Helper()
	sf, err := d.Attachments.StageReader(context.Background(), a, bytes.NewReader(data), name, nil)
	must(t, err)
	return sf
}

// touchPractice does what a working day does: a new thread with a new file,
// a share, a delete (Records Deletion on), a copy to Documents on File.
func touchPractice(t testing.TB, d *desk.Desk, tag string) string {
	t.Helper()
	owner := staffByRole(t, d, store.RoleOwner)
	var c store.Client
	must(t, d.DB.Order("last_name, first_name").First(&c).Error)
	sf := stageFile(t, d, owner, "notes-"+tag+".txt", []byte("Session notes "+tag+"\n"+strings.Repeat("line of text\n", 2000)))
	th, err := d.Messages.Compose(owner, dto.ComposeRequest{ClientID: c.ID, Subject: "Backup " + tag, Body: "Body " + tag,
		Files: []dto.OutgoingFile{{Token: sf.Token, Name: sf.Name}}})
	must(t, err)
	att := th.Messages[0].Attachments[0]
	_, err = d.Attachments.SetShared(owner, att.ID, true)
	must(t, err)
	_, err = d.Settings.SetRecordsDeletion(owner, true)
	must(t, err)
	_, err = d.Attachments.CopyToDocuments(owner, att.ID, "")
	must(t, err)
	var other store.Attachment
	must(t, d.DB.Where(`removed_at IS NULL AND id <> ? AND (shared_with_staff = 1 OR EXISTS (SELECT 1 FROM participants p
		WHERE p.thread_id = attachments.thread_id AND p.kind = 'staff' AND p.person_id = ?))`, att.ID, owner.StaffID).Order("id").First(&other).Error)
	must(t, d.Attachments.Delete(owner, other.ID))
	return th.ID
}

// dump returns every row of every table (rowids included where the table
// has them), as text, by table.
func dump(t testing.TB, db *gorm.DB) map[string][]string {
	t.Helper()
	var tables []struct{ Name, SQL string }
	must(t, db.Raw(`SELECT name, COALESCE(sql,'') AS sql FROM sqlite_master WHERE type = 'table' ORDER BY name`).Scan(&tables).Error)
	out := map[string][]string{}
	for _, tb := range tables {
		if strings.HasPrefix(strings.ToUpper(tb.SQL), "CREATE VIRTUAL") {
			continue // its shadow tables hold its content
		}
		rows, err := db.Raw(`SELECT rowid AS __rowid, * FROM ` + quoteIdent(tb.Name) + ` ORDER BY rowid`).Rows()
		if err != nil { // WITHOUT ROWID
			rows, err = db.Raw(`SELECT * FROM ` + quoteIdent(tb.Name) + ` ORDER BY 1`).Rows()
		}
		must(t, err)
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			must(t, rows.Scan(ptrs...))
			lines = append(lines, fmt.Sprintf("%q", vals))
		}
		rows.Close()
		out[tb.Name] = lines
	}
	return out
}

// storeFiles maps every file under the blob store to the SHA-256 of its bytes.
func storeFiles(t testing.TB, d *desk.Desk) map[string]string {
	t.Helper()
	out := map[string]string{}
	root := filepath.Join(d.Blobs.Root(), "blobs")
	must(t, filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		rel, _ := filepath.Rel(root, p)
		out[rel] = hex.EncodeToString(sum[:])
		return nil
	}))
	return out
}

// treeHash fingerprints every file under dir (names, modes and bytes).
func treeHash(t testing.TB, dir string) string {
	t.Helper()
	var lines []string
	must(t, filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if e.IsDir() {
			lines = append(lines, "d "+rel)
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		lines = append(lines, "f "+rel+" "+hex.EncodeToString(sum[:]))
		return nil
	}))
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func dirSize(t testing.TB, dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			if fi, err := e.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

func TestBackupOfTheDemoPracticeRestoresToAnIdenticalPractice(t *testing.T) {
	ctx := context.Background()
	d, clk := openDemo(t)
	owner := staffByRole(t, d, store.RoleOwner)
	touchPractice(t, d, "before")
	want := dump(t, d.DB.DB)
	wantFiles := storeFiles(t, d)
	deskID, err := os.ReadFile(filepath.Join(d.Dir, deskIDName))
	must(t, err)

	var phases []string
	start := time.Now()
	m, folder, err := Create(ctx, d, owner, t.TempDir(), func(p Progress) {
		if len(phases) == 0 || phases[len(phases)-1] != p.Phase {
			phases = append(phases, p.Phase)
		}
	})
	must(t, err)
	took := time.Since(start)
	if !strings.HasPrefix(filepath.Base(folder), FolderPrefix) || strings.HasSuffix(folder, partialSuffix) {
		t.Fatalf("folder %q", folder)
	}
	if strings.Join(phases, ",") != "database,files,done" {
		t.Errorf("phases %v", phases)
	}
	if m.SchemaVersion != store.LatestVersion() || m.Counts["clients"] != 40 || len(m.Files) != len(wantFiles) || len(m.Unavailable) != 0 || m.AuditHead.Seq == 0 {
		t.Fatalf("manifest: schema %d, counts %v, %d files (store has %d), unavailable %v", m.SchemaVersion, m.Counts, len(m.Files), len(wantFiles), m.Unavailable)
	}
	// The backup itself is audited, in the live log only.
	var last store.AuditEvent
	must(t, d.DB.Order("seq DESC").First(&last).Error)
	if last.Action != audit.ActBackupCreated || last.StaffID != owner.StaffID {
		t.Fatalf("last audit entry %+v", last)
	}

	// The practice goes on after the backup...
	after := touchPractice(t, d, "after")
	d.Close()

	start = time.Now()
	res, err := Restore(ctx, owner, folder, d.Dir, nil)
	must(t, err)
	restoreTook := time.Since(start)
	t.Logf("demo practice: backup %v, %d bytes in %d files + db %d bytes (folder %d bytes); restore %v",
		took.Round(time.Millisecond), m.TotalBytes(), len(m.Files), m.Database.Size, dirSize(t, folder), restoreTook.Round(time.Millisecond))

	// ...and the restore brings back exactly the practice at backup time.
	r := reopen(t, d.Dir, clk)
	got := dump(t, r.DB.DB)
	for table, rows := range want {
		if !reflect.DeepEqual(rows, got[table]) {
			t.Errorf("table %s differs: %d rows before, %d after", table, len(rows), len(got[table]))
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d tables before, %d after", len(want), len(got))
	}
	if gotFiles := storeFiles(t, r); !reflect.DeepEqual(gotFiles, wantFiles) {
		t.Errorf("stored files differ: %d before, %d after", len(wantFiles), len(gotFiles))
	}
	must(t, r.DB.Exec(`INSERT INTO messages_fts(messages_fts) VALUES('integrity-check')`).Error)
	must(t, audit.Verify(r.DB.DB))
	rep, err := r.Blobs.Check(ctx, nil, nil)
	must(t, err)
	if !rep.OK() {
		t.Fatalf("store check after restore: %+v", rep)
	}
	if id, _ := os.ReadFile(filepath.Join(r.Dir, deskIDName)); !bytes.Equal(id, deskID) {
		t.Errorf("desk id changed: %q → %q", deskID, id)
	}
	for _, p := range []string{filepath.Join(r.Dir, stageMarker), journalPath(r.Dir)} {
		if exists(p) {
			t.Errorf("%s left behind", p)
		}
	}

	// The replaced practice is kept aside, whole, with the work done after the backup.
	if res.PreviousData == "" || !strings.Contains(filepath.Base(res.PreviousData), "before restore") {
		t.Fatalf("previous data %q", res.PreviousData)
	}
	prev := reopen(t, res.PreviousData, clk)
	var n int64
	r.DB.Model(&store.Thread{}).Where("id = ?", after).Count(&n)
	if n != 0 {
		t.Fatal("the restored practice has a thread made after the backup")
	}
	prev.DB.Model(&store.Thread{}).Where("id = ?", after).Count(&n)
	if n != 1 {
		t.Fatal("the replaced practice lost its newest thread")
	}
}

func TestCorruptedBackupIsRefusedAndChangesNothing(t *testing.T) {
	ctx := context.Background()
	d, _ := openDemo(t)
	owner := staffByRole(t, d, store.RoleOwner)
	touchPractice(t, d, "x")
	root := t.TempDir()
	m, folder, err := Create(ctx, d, owner, root, nil)
	must(t, err)
	d.Close()
	before := treeHash(t, d.Dir)
	parent := filepath.Dir(d.Dir)
	siblings := func() []string {
		ents, _ := os.ReadDir(parent)
		var out []string
		for _, e := range ents {
			out = append(out, e.Name())
		}
		return out
	}
	wantSiblings := siblings()

	flip := func(rel string, at func(size int64) int64) func(string) {
		return func(dir string) {
			p := filepath.Join(dir, filepath.FromSlash(rel))
			b, err := os.ReadFile(p)
			must(t, err)
			b[at(int64(len(b)))] ^= 0x01
			must(t, os.WriteFile(p, b, 0o600))
		}
	}
	big := m.Files[0]
	for _, f := range m.Files {
		if f.Size > big.Size {
			big = f
		}
	}
	cases := []struct {
		name   string
		damage func(dir string)
		code   apperr.Code
	}{
		{"flipped byte in a file", flip(big.Path, func(n int64) int64 { return n / 2 }), apperr.FileCorrupt},
		{"flipped byte at the end of a file", flip(m.Files[len(m.Files)-1].Path, func(n int64) int64 { return n - 1 }), apperr.FileCorrupt},
		{"flipped byte in the database", flip(DBName, func(n int64) int64 { return n / 3 }), apperr.FileCorrupt},
		{"flipped byte in the database header", flip(DBName, func(int64) int64 { return 20 }), apperr.FileCorrupt},
		{"missing file", func(dir string) { must(t, os.Remove(filepath.Join(dir, filepath.FromSlash(big.Path)))) }, apperr.FileCorrupt},
		{"file truncated", func(dir string) { must(t, os.Truncate(filepath.Join(dir, filepath.FromSlash(big.Path)), 10)) }, apperr.FileCorrupt},
		{"missing database", func(dir string) { must(t, os.Remove(filepath.Join(dir, DBName))) }, apperr.FileCorrupt},
		{"no manifest", func(dir string) { must(t, os.Remove(filepath.Join(dir, ManifestName))) }, apperr.InvalidInput},
		{"manifest edited", func(dir string) {
			p := filepath.Join(dir, ManifestName)
			b, _ := os.ReadFile(p)
			must(t, os.WriteFile(p, bytes.Replace(b, []byte(`"clients": 40`), []byte(`"clients": 41`), 1), 0o600))
		}, apperr.FileCorrupt},
		{"manifest file list pointing outside", func(dir string) {
			p := filepath.Join(dir, ManifestName)
			b, _ := os.ReadFile(p)
			must(t, os.WriteFile(p, bytes.Replace(b, []byte(`"path": "files/blobs/`), []byte(`"path": "../../x/`), 1), 0o600))
		}, apperr.InvalidInput},
		{"file dropped from the manifest", func(dir string) {
			mm, err := readManifest(dir)
			must(t, err)
			for i, f := range mm.Files {
				if f.SHA256 == big.SHA256 {
					mm.Files = append(mm.Files[:i], mm.Files[i+1:]...)
					break
				}
			}
			b, _ := mm.encode()
			must(t, os.WriteFile(filepath.Join(dir, ManifestName), b, 0o600))
		}, apperr.FileCorrupt},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			copyDir := filepath.Join(t.TempDir(), filepath.Base(folder))
			copyTree(t, folder, copyDir)
			c.damage(copyDir)
			if _, err := Verify(ctx, copyDir, nil); !apperr.Is(err, c.code) {
				t.Fatalf("Verify: %v, want %s", err, c.code)
			}
			_, err := Restore(ctx, owner, copyDir, d.Dir, nil)
			if !apperr.Is(err, c.code) {
				t.Fatalf("Restore: %v, want %s", err, c.code)
			}
			if after := treeHash(t, d.Dir); after != before {
				t.Fatal("a refused restore changed the data directory")
			}
			if got := siblings(); !reflect.DeepEqual(got, wantSiblings) {
				t.Fatalf("a refused restore left %v beside the data directory (had %v)", got, wantSiblings)
			}
		})
	}
	// The undamaged backup still verifies.
	if _, err := Verify(ctx, folder, nil); err != nil {
		t.Fatal(err)
	}
}

func copyTree(t testing.TB, src, dst string) {
	t.Helper()
	must(t, filepath.WalkDir(src, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if e.IsDir() {
			return os.MkdirAll(target, 0o700)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o600)
	}))
}

func TestOnlyOwnersAndManagersBackUpOrRestore(t *testing.T) {
	ctx := context.Background()
	d, _ := openDemo(t)
	manager := staffByRole(t, d, store.RoleManager)
	_, folder, err := Create(ctx, d, manager, t.TempDir(), nil)
	must(t, err)
	actors := []access.Actor{staffByRole(t, d, store.RoleClinician), staffByRole(t, d, store.RoleFrontDesk), {}}
	before := treeHash(t, d.Dir)
	for _, a := range actors {
		target := t.TempDir()
		want := apperr.OwnerOrManagerOnly
		if a.StaffID == "" {
			want = apperr.NotSignedIn
		}
		if _, _, err := Create(ctx, d, a, target, nil); !apperr.Is(err, want) {
			t.Errorf("%s Create: %v, want %s", a.Role, err, want)
		}
		if ents, _ := os.ReadDir(target); len(ents) != 0 {
			t.Errorf("%s: a refused backup wrote %d entries", a.Role, len(ents))
		}
		if _, err := Restore(ctx, a, folder, d.Dir, nil); !apperr.Is(err, want) {
			t.Errorf("%s Restore: %v, want %s", a.Role, err, want)
		}
	}
	if treeHash(t, d.Dir) != before {
		t.Fatal("a refused restore changed the data directory")
	}
}

func TestBackupIsConsistentWhileTheDeskKeepsWriting(t *testing.T) {
	ctx := context.Background()
	d, _ := openDemo(t)
	owner := staffByRole(t, d, store.RoleOwner)
	clinician := staffByRole(t, d, store.RoleClinician)
	var c store.Client
	must(t, d.DB.First(&c).Error)
	var before int64
	d.DB.Model(&store.Message{}).Count(&before)

	stop := make(chan struct{})
	var wg gosync.WaitGroup
	var mu gosync.Mutex
	var writes int
	var writeErr error
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			actor := owner
			if g == 1 {
				actor = clinician
			}
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				sf, err := d.Attachments.StageReader(ctx, actor, strings.NewReader(fmt.Sprintf("file %d of writer %d\n%s", i, g, strings.Repeat("x", 1000*i%50000))), fmt.Sprintf("w%d-%d.txt", g, i), nil)
				if err == nil {
					_, err = d.Messages.Compose(actor, dto.ComposeRequest{ClientID: c.ID, Subject: fmt.Sprintf("w%d %d", g, i), Body: "busy",
						Files: []dto.OutgoingFile{{Token: sf.Token, Name: sf.Name}}})
				}
				mu.Lock()
				if err != nil && writeErr == nil {
					writeErr = err
				}
				writes++
				mu.Unlock()
			}
		}(g)
	}
	time.Sleep(100 * time.Millisecond)
	var folder string
	var m Manifest
	var err error
	for i := 0; i < 3; i++ { // several backups while the writers run
		m, folder, err = Create(ctx, d, owner, t.TempDir(), nil)
		must(t, err)
	}
	time.Sleep(50 * time.Millisecond)
	close(stop)
	wg.Wait()
	must(t, writeErr)
	var after int64
	d.DB.Model(&store.Message{}).Count(&after)
	if _, err := Verify(ctx, folder, nil); err != nil {
		t.Fatalf("a backup taken during writes does not verify: %v", err)
	}
	if n := m.Counts["messages"]; n <= before || n >= after {
		t.Fatalf("backup has %d messages; the desk had %d before and %d after (%d writes)", n, before, after, writes)
	}
	if len(m.Unavailable) != 0 {
		t.Fatalf("unavailable: %v", m.Unavailable)
	}
	// The copy is one moment of the practice: its audit chain verifies and
	// every attachment it lists has its file.
	cp, closeCp, err := openCopy(filepath.Join(folder, DBName), false)
	must(t, err)
	defer closeCp()
	must(t, audit.Verify(cp))
	var threadsWithoutMessages int64
	cp.Raw(`SELECT COUNT(*) FROM threads t WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.thread_id = t.id)`).Scan(&threadsWithoutMessages)
	if threadsWithoutMessages != 0 {
		t.Fatalf("%d threads without messages in the copy", threadsWithoutMessages)
	}
	t.Logf("%d writes during 3 backups; backup holds %d of %d messages", writes, m.Counts["messages"], after)
}

func TestCancelledBackupLeavesNothing(t *testing.T) {
	d, _ := openDemo(t)
	owner := staffByRole(t, d, store.RoleOwner)
	ctx, cancel := context.WithCancel(context.Background())
	target := t.TempDir()
	_, _, err := Create(ctx, d, owner, target, func(p Progress) {
		if p.Phase == PhaseFiles {
			cancel()
		}
	})
	if !apperr.Is(err, apperr.Cancelled) {
		t.Fatalf("Create: %v, want cancelled", err)
	}
	if ents, _ := os.ReadDir(target); len(ents) != 0 {
		t.Fatalf("a cancelled backup left %v", ents)
	}
}

func TestBackupFolderMustExistAndBeOutsideTheDataDirectory(t *testing.T) {
	d, _ := openDemo(t)
	owner := staffByRole(t, d, store.RoleOwner)
	for _, dir := range []string{"", "relative", filepath.Join(t.TempDir(), "missing"), d.Dir, filepath.Join(d.Dir, "files")} {
		if _, _, err := Create(context.Background(), d, owner, dir, nil); !apperr.Is(err, apperr.InvalidInput) {
			t.Errorf("Create into %q: %v", dir, err)
		}
	}
}

// practiceOf tells which practice a data directory holds by whether the
// marker thread is there, after checking it is whole.
func practiceOf(t *testing.T, dir string, marker string) string {
	t.Helper()
	if !exists(filepath.Join(dir, DBName)) {
		t.Fatalf("%s has no database", dir)
	}
	d, err := desk.Open(context.Background(), dir, desk.Options{Clock: clock.NewFixed(testutil.Now)})
	must(t, err)
	defer d.Close()
	var ic string
	must(t, d.DB.Raw(`PRAGMA integrity_check`).Scan(&ic).Error)
	must(t, audit.Verify(d.DB.DB))
	var req []string
	d.DB.Raw(`SELECT blob_sha256 FROM attachments WHERE purged_at IS NULL UNION SELECT blob_sha256 FROM documents`).Scan(&req)
	rep, err := d.Blobs.Check(context.Background(), req, nil)
	must(t, err)
	if ic != "ok" || len(rep.Missing) != 0 || len(rep.Corrupt) != 0 {
		t.Fatalf("%s is not whole: %s %+v", dir, ic, rep)
	}
	var n int64
	d.DB.Model(&store.Thread{}).Where("id = ?", marker).Count(&n)
	if n == 1 {
		return "old"
	}
	return "new"
}

func TestInterruptedRestoreLeavesTheOldOrTheNewPractice(t *testing.T) {
	ctx := context.Background()
	// The one-rename exchange exists on Linux and macOS only (swap_other.go):
	// Windows always takes the two-rename path, so only that one is crashed there.
	modes := []bool{false}
	if runtime.GOOS == "linux" || runtime.GOOS == "darwin" {
		modes = []bool{true, false}
	}
	for _, exch := range modes {
		steps := []string{"journal", "exchange", "swapped"}
		if !exch {
			steps = []string{"journal", "move-old", "swapped"}
		}
		for _, at := range steps {
			t.Run(fmt.Sprintf("exchange=%v/crash after %s", exch, at), func(t *testing.T) {
				useExchange = exch
				defer func() { useExchange, crashAt = true, nil }()
				d, _ := openDemo(t)
				owner := staffByRole(t, d, store.RoleOwner)
				_, folder, err := Create(ctx, d, owner, t.TempDir(), nil)
				must(t, err)
				marker := touchPractice(t, d, "only in the old practice")
				d.Close()

				st, err := Stage(ctx, owner, folder, d.Dir, nil)
				must(t, err)
				crashAt = func(s string) bool { return s == at }
				if _, err := st.Commit(nil); err != errSimulatedCrash {
					t.Fatalf("Commit: %v", err)
				}
				crashAt = nil
				must(t, Recover(d.Dir))
				got := practiceOf(t, d.Dir, marker)
				wantOld := at == "journal"
				if (got == "old") != wantOld {
					t.Fatalf("after a crash at %s the data directory holds the %s practice", at, got)
				}
				// Nothing half-done is left: no journal, no marker, no stage;
				// the replaced practice, if any, is whole under its own name.
				parent := filepath.Dir(d.Dir)
				ents, _ := os.ReadDir(parent)
				var prev []string
				for _, e := range ents {
					switch {
					case strings.Contains(e.Name(), stageInfix) || strings.Contains(e.Name(), journalInfix):
						t.Errorf("left behind: %s", e.Name())
					case strings.Contains(e.Name(), "before restore"):
						prev = append(prev, filepath.Join(parent, e.Name()))
					}
				}
				if exists(filepath.Join(d.Dir, stageMarker)) {
					t.Error("stage marker left in the data directory")
				}
				if !wantOld {
					if len(prev) != 1 || practiceOf(t, prev[0], marker) != "old" {
						t.Fatalf("the replaced practice is not kept whole: %v", prev)
					}
				} else if len(prev) != 0 {
					t.Fatalf("nothing was replaced, yet %v exists", prev)
				}
				// A later restore still works.
				_, err = Restore(ctx, owner, folder, d.Dir, nil)
				must(t, err)
				if practiceOf(t, d.Dir, marker) != "new" {
					t.Fatal("restore after recovery did not restore")
				}
			})
		}
	}
}

func TestRestoreOntoANewComputer(t *testing.T) {
	ctx := context.Background()
	d, clk := openDemo(t)
	owner := staffByRole(t, d, store.RoleOwner)
	_, folder, err := Create(ctx, d, owner, t.TempDir(), nil)
	must(t, err)
	want := dump(t, d.DB.DB)
	dir := filepath.Join(t.TempDir(), "new computer", "ClinicDesk")
	res, err := Restore(ctx, owner, folder, dir, nil)
	must(t, err)
	if res.PreviousData != "" {
		t.Fatalf("previous data %q on a new computer", res.PreviousData)
	}
	r := reopen(t, dir, clk)
	got := dump(t, r.DB.DB)
	if !reflect.DeepEqual(got["messages"], want["messages"]) || !reflect.DeepEqual(got["attachments"], want["attachments"]) {
		t.Fatal("restored practice differs")
	}
}
