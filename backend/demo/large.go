package demo

// The large practice: what a busy group practice accumulates over years, for
// benchmarks and for trying the app at scale. Like the small demo, every
// name, date and message is generated.
//
// Rows go in through one dedicated connection of the same *store.DB, in one
// transaction, as prepared multi-row INSERTs (database/sql, no gorm), with
// foreign-key checks and fsync switched off and a large page cache for the
// duration only; the previous values are restored before returning. The
// search index and thread_stats are built once at the end (FTS5 'rebuild',
// store.RebuildThreadStatsSQL) instead of row by row through their
// triggers, which is several times faster for a million messages. Files are real small PDFs, PNGs and text files written through
// the blob store, fewer than the attachments, so content repeats and
// deduplicates as it would in a practice.

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"clinicdesk/backend/auth"
	"clinicdesk/backend/clock"
	"clinicdesk/backend/files"
	"clinicdesk/backend/store"
)

// LargeSpec sizes the large practice.
type LargeSpec struct {
	Clients     int
	Threads     int
	Messages    int
	Attachments int
	// HeavyThreads and HeavyAttachments belong to the heaviest client
	// (the first one); LongThread is the message count of one of their threads.
	HeavyThreads     int
	HeavyAttachments int
	LongThread       int
	// ExtraClinicians join the demo's staff.
	ExtraClinicians int
	// UniqueFiles is how many distinct files the attachments draw from.
	UniqueFiles int
	// Appointments booked around now.
	Appointments int
}

// DefaultLarge is the practice of issue 8: 20,000 clients, 200,000 threads,
// 1,000,000 messages and 200,000 attachments; one client has 2,000 threads
// and 10,000 attachments.
func DefaultLarge() LargeSpec {
	return LargeSpec{Clients: 20000, Threads: 200000, Messages: 1000000, Attachments: 200000,
		HeavyThreads: 2000, HeavyAttachments: 10000, LongThread: 1000, ExtraClinicians: 14, UniqueFiles: 1500, Appointments: 6000}
}

func (s LargeSpec) check() error {
	switch {
	case s.Clients < 2 || s.HeavyThreads < 1 || s.Threads < s.HeavyThreads+1:
		return fmt.Errorf("large practice: need at least 2 clients and more threads than the heaviest client's")
	case s.LongThread < 1 || s.Messages < s.Threads+s.LongThread:
		return fmt.Errorf("large practice: need at least one message per thread plus the long thread")
	case s.HeavyAttachments > s.Attachments || s.Attachments > s.Messages:
		return fmt.Errorf("large practice: attachments must fit in the messages")
	case s.UniqueFiles < 1:
		return fmt.Errorf("large practice: need at least one file")
	}
	return nil
}

// LargeInfo names the people and threads benchmarks look at.
type LargeInfo struct {
	Spec          LargeSpec `json:"spec"`
	HeavyClientID string    `json:"heavyClientId"`
	// HeavyStaffID is the clinician who takes part in most of the heaviest
	// client's threads (and about a twelfth of all threads).
	HeavyStaffID string `json:"heavyStaffId"`
	// LightStaffID (the owner) takes part in few threads.
	LightStaffID string `json:"lightStaffId"`
	FrontDeskID  string `json:"frontDeskId"`
	LongThreadID string `json:"longThreadId"`
	// ShareAttachmentID is an attachment HeavyStaffID sent, for the share toggle.
	ShareAttachmentID string `json:"shareAttachmentId"`
	Participants      int    `json:"participants"`
	Blobs             int    `json:"blobs"`
	BlobBytes         int64  `json:"blobBytes"`
	Now               string `json:"now"`
}

// Progress reports work done out of total, with the phase's name. The large
// generator calls it at most every 100 ms, and once when it finishes.
type Progress func(done, total int64, phase string)

// GenerateLarge fills an empty database with the large practice, storing its
// files in blobs. now anchors message dates and appointments.
func GenerateLarge(ctx context.Context, db *store.DB, blobs *files.Store, now time.Time, spec LargeSpec, progress Progress) (LargeInfo, error) {
	info := LargeInfo{Spec: spec, Now: now.UTC().Format(time.RFC3339)}
	if err := spec.check(); err != nil {
		return info, err
	}
	empty, err := db.IsEmpty()
	if err != nil {
		return info, err
	}
	if !empty {
		return info, ErrNotEmpty
	}
	pinHash, err := auth.Hash(PIN)
	if err != nil {
		return info, err
	}
	g := &large{spec: spec, now: now.UTC(), rng: rand.New(rand.NewPCG(2026, 8)), report: progress, info: &info}
	// Work units: one per file and per row, the search index weighing as
	// much as the messages it covers.
	g.total = int64(spec.UniqueFiles + spec.Clients + spec.Threads + spec.Messages + spec.Attachments + spec.Appointments + spec.Messages/2)
	if err := g.writeFiles(ctx, blobs); err != nil {
		return info, err
	}
	sqlDB, err := db.DB.DB()
	if err != nil {
		return info, err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return info, err
	}
	defer conn.Close()
	restore, err := bulkPragmas(ctx, conn)
	if err != nil {
		return info, err
	}
	err = g.rows(ctx, conn, pinHash)
	if rerr := restore(); err == nil {
		err = rerr
	}
	if err != nil {
		return info, err
	}
	// Leave a compact database file behind: move the WAL into it now rather
	// than on the first open.
	if _, err := conn.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return info, err
	}
	g.done = g.total
	g.tick("done", true)
	return info, nil
}

// bulkPragmas switches off what a one-off bulk load does not need on conn and
// returns a func that puts back the previous values. foreign_keys can only
// change outside a transaction, so this runs before BEGIN.
func bulkPragmas(ctx context.Context, conn *sql.Conn) (func() error, error) {
	names := []string{"foreign_keys", "synchronous", "cache_size", "temp_store"}
	old := make(map[string]int64, len(names))
	for _, n := range names {
		var v int64
		if err := conn.QueryRowContext(ctx, "PRAGMA "+n).Scan(&v); err != nil {
			return nil, fmt.Errorf("read PRAGMA %s: %w", n, err)
		}
		old[n] = v
	}
	restore := func() error {
		var errs []error
		for _, n := range names {
			if _, err := conn.ExecContext(context.Background(), fmt.Sprintf("PRAGMA %s = %d", n, old[n])); err != nil {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	}
	// The generator writes consistent rows (its unit test runs
	// foreign_key_check); fsync is pointless for a load that is redone from
	// scratch if the machine stops; 256 MB of cache keeps the indexes being
	// filled in memory; sorts for the search index stay in memory.
	for _, p := range []string{"PRAGMA foreign_keys = OFF", "PRAGMA synchronous = OFF", "PRAGMA cache_size = -262144", "PRAGMA temp_store = MEMORY"} {
		if _, err := conn.ExecContext(ctx, p); err != nil {
			restore()
			return nil, err
		}
	}
	return restore, nil
}

type large struct {
	spec   LargeSpec
	now    time.Time
	rng    *rand.Rand
	report Progress
	info   *LargeInfo

	mu    sync.Mutex
	done  int64
	total int64
	last  time.Time

	files      []largeFile
	staff      []store.Staff
	clinicians []int // indexes into staff
	clientIDs  []string
	clientName []string
}

type largeFile struct {
	blob files.Blob
	name string
}

// tick reports progress at most every 100 ms (always when final).
func (g *large) tick(phase string, final bool) {
	if g.report == nil {
		return
	}
	g.mu.Lock()
	now := time.Now()
	if !final && now.Sub(g.last) < 100*time.Millisecond {
		g.mu.Unlock()
		return
	}
	g.last = now
	done, total := g.done, g.total
	g.mu.Unlock()
	g.report(done, total, phase)
}

func (g *large) add(n int64, phase string) {
	g.mu.Lock()
	g.done += n
	g.mu.Unlock()
	g.tick(phase, false)
}

// fileNames give the attachments their display names; several names share
// one content and one content is sent under several names.
var pdfNames = []string{"Intake form", "Referral letter", "Worksheet", "Receipt", "Consent form", "Treatment plan summary",
	"Superbill", "Release of information", "Coping skills handout", "Thought record", "Session summary", "Invoice"}
var pngNames = []string{"Insurance card", "Scan", "Photo of form", "Breathing exercise", "Screenshot", "ID card", "Mood chart"}
var textNames = []string{"Sleep diary", "Mood log", "Medication list", "Questions for next session", "Exercise log"}

// writeFiles writes spec.UniqueFiles small real files through the blob store,
// two at a time (each Put fsyncs).
func (g *large) writeFiles(ctx context.Context, blobs *files.Store) error {
	n := g.spec.UniqueFiles
	g.files = make([]largeFile, n)
	jobs := make(chan int)
	errc := make(chan error, 4)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				name, data := sampleContent(i)
				b, err := blobs.Put(ctx, bytes.NewReader(data), name, 0, nil)
				if err != nil {
					errc <- fmt.Errorf("store large-practice file %s: %w", name, err)
					return
				}
				g.files[i] = largeFile{blob: b, name: name}
				g.add(1, "files")
			}
		}()
	}
	var err error
feed:
	for i := 0; i < n; i++ {
		select {
		case jobs <- i:
		case err = <-errc:
			break feed
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errc:
		default:
		}
	}
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, f := range g.files {
		if !seen[f.blob.SHA256] {
			seen[f.blob.SHA256] = true
			g.info.Blobs++
			g.info.BlobBytes += f.blob.Size
		}
	}
	return nil
}

// sampleContent is file i of the pool: a PDF, PNG or text file whose content
// depends on i/3, so every content exists under up to three names.
func sampleContent(i int) (string, []byte) {
	v := i / 3
	switch i % 5 {
	case 0, 1:
		base := pdfNames[v%len(pdfNames)]
		return fmt.Sprintf("%s %d.pdf", base, v%97+1), SamplePDF("Riverbend Wellness - "+base, fmt.Sprintf("Form version %d", v),
			"Name: ____________   Date: ________", strings.Repeat("Notes: ______________________ ", 1+v%4))
	case 2, 3:
		base := pngNames[v%len(pngNames)]
		return fmt.Sprintf("%s %04d.png", base, v), SamplePNG(64+(v%5)*24, 48+(v%4)*20, 1+v%17)
	default:
		base := textNames[v%len(textNames)]
		var b strings.Builder
		fmt.Fprintf(&b, "%s (demo) #%d\n", base, v)
		for d := 0; d < 5+v%20; d++ {
			fmt.Fprintf(&b, "Day %d: %d/10, %s\n", d+1, (v+d)%10, topicWords[(v*7+d)%len(topicWords)])
		}
		return fmt.Sprintf("%s %d.txt", base, v%50+1), []byte(b.String())
	}
}

// topicWords fill message bodies so the search index holds a realistic mix of
// common and rare words.
var topicWords = []string{"appointment", "insurance", "worksheet", "homework", "sleep", "anxiety", "breathing", "journal",
	"medication", "referral", "invoice", "receipt", "parking", "schedule", "reschedule", "cancellation", "telehealth", "video",
	"link", "form", "consent", "intake", "assessment", "questionnaire", "mood", "diary", "exercise", "walk", "meditation",
	"mindfulness", "family", "partner", "school", "work", "stress", "weekend", "holiday", "travel", "copay", "deductible",
	"superbill", "authorization", "prescription", "pharmacy", "lab", "results", "letter", "employer", "note", "accommodation",
	"group", "session", "waitlist", "evening", "morning", "afternoon", "Tuesday", "Thursday", "Friday", "Monday", "Wednesday",
	"portal", "password", "address", "phone", "email", "voicemail", "reminder", "billing", "balance", "payment", "card",
	"nutrition", "caffeine", "routine", "bedtime", "nightmare", "panic", "grief", "anger", "goals", "progress", "relapse",
	"support", "crisis", "plan", "safety", "coping", "skills", "thoughts", "feelings", "boundaries", "conflict", "sibling",
	"kayak", "accordion", "origami", "saxophone", "marathon", "pottery", "beekeeping", "chess", "birdwatching", "quilting"}

func (g *large) body(kind string) string {
	var b strings.Builder
	if kind == store.KindStaff {
		b.WriteString(staffLines[g.rng.IntN(len(staffLines))])
	} else {
		b.WriteString(clientLines[g.rng.IntN(len(clientLines))])
	}
	// A second sentence of 3-9 topic words, the common ones far more often
	// (the square favours low indexes), so a few words are rare.
	n := 3 + g.rng.IntN(7)
	b.WriteString(" About ")
	for i := 0; i < n; i++ {
		f := g.rng.Float64()
		w := topicWords[int(f*f*float64(len(topicWords)))]
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(w)
	}
	b.WriteByte('.')
	return b.String()
}

var moreFirst = []string{"Adrian", "Blair", "Camille", "Dmitri", "Esme", "Felix", "Greta", "Hugo", "Ines", "Jasper", "Kofi",
	"Lena", "Mateo", "Nadia", "Oscar", "Paloma", "Rafael", "Sana", "Tobias", "Uma", "Viktor", "Willa", "Xavier", "Yara",
	"Zane", "Amara", "Bruno", "Clara", "Dev", "Elena", "Finn", "Gemma", "Hiro", "Isla", "Joel", "Kai", "Leila", "Milo",
	"Noor", "Omar", "Pia", "Reza", "Stella", "Theo", "Una", "Vivian", "Wyatt", "Yasmin", "Zoe", "Arjun"}
var moreLast = []string{"Achebe", "Bergstrom", "Chowdhury", "Delacroix", "Eriksen", "Fitzgerald", "Gonzaga", "Haddad",
	"Iversen", "Jovanovic", "Kaminski", "Lindqvist", "Mbeki", "Nilsson", "Okonkwo", "Petrov", "Quintero", "Rossi", "Schmidt",
	"Takahashi", "Ulrich", "Valdez", "Wojcik", "Xu", "Yilmaz", "Zhang", "Alvarez", "Brennan", "Costa", "Dubois", "Evans",
	"Fischer", "Grant", "Hoffman", "Ibrahim", "Jensen", "Keller", "Lopez", "Murphy", "Novak", "Ortiz", "Park", "Quinn",
	"Romero", "Silva", "Tran", "Usman", "Vogel", "Weber", "Young"}

const largeStaffExtra = "Aisha Rahman,Ben Carter,Chloe Nguyen,Daniel Ortega,Eva Lindgren,Femi Adeyemi,Grace Kim,Henry Walsh," +
	"Iris Moreau,Jamal Hughes,Kenji Sato,Lucia Ferrari,Mohammed Aziz,Nora Brandt,Oren Levi,Petra Novak,Rhys Morgan,Sofia Greco"

func (g *large) rows(ctx context.Context, conn *sql.Conn, pinHash string) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ins := newInserters(ctx, tx)
	defer ins.close()
	ts := func(t time.Time) string { return t.UTC().Format(sqliteTime) }
	now := ts(g.now)

	// Tables derived from messages (the search index, thread_stats) are
	// filled once at the end: their per-row triggers go for the load and
	// come back, as they were, in the same transaction.
	triggers := map[string]string{"messages_fts_ins": "", "thread_stats_ins": ""}
	for name := range triggers {
		var sql string
		if err := tx.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?`, name).Scan(&sql); err != nil {
			return fmt.Errorf("find trigger %s: %w", name, err)
		}
		if _, err := tx.ExecContext(ctx, `DROP TRIGGER `+name); err != nil {
			return err
		}
		triggers[name] = sql
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO settings (id, practice_name, max_file_bytes, lock_after_minutes, demo, updated_at) VALUES (1, ?, ?, 10, 1, ?)`,
		PracticeName+" — large", files.DefaultMaxBytes, now); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, f := range g.files {
		if seen[f.blob.SHA256] {
			continue
		}
		seen[f.blob.SHA256] = true
		if err := ins.blobs.add(f.blob.SHA256, f.blob.Size, f.blob.MIME, now); err != nil {
			return err
		}
	}

	// Staff: the demo's six, then more clinicians.
	type person struct{ first, last, role string }
	var people []person
	for _, d := range demoStaff {
		people = append(people, person{d.first, d.last, d.role})
	}
	extra := strings.Split(largeStaffExtra, ",")
	for i := 0; i < g.spec.ExtraClinicians; i++ {
		f, l, _ := strings.Cut(extra[i%len(extra)], " ")
		if i >= len(extra) {
			l = fmt.Sprintf("%s %d", l, i/len(extra)+1)
		}
		people = append(people, person{f, l, store.RoleClinician})
	}
	for i, p := range people {
		st := store.Staff{ID: clock.NewID(), FirstName: p.first, LastName: p.last, Role: p.role, Active: true}
		email := fmt.Sprintf("%s.%s@riverbend.example", lower(p.first), strings.ReplaceAll(lower(p.last), " ", ""))
		if err := ins.staff.add(st.ID, p.first, p.last, p.role, email, pinHash, now, now); err != nil {
			return err
		}
		g.staff = append(g.staff, st)
		if p.role == store.RoleClinician {
			g.clinicians = append(g.clinicians, i)
		}
	}
	// Demo staff order: owner, manager, Priya (clinician), Samuel, Hannah, front desk.
	owner, manager, heavyStaff, front := 0, 1, 2, 5
	g.info.HeavyStaffID, g.info.LightStaffID, g.info.FrontDeskID = g.staff[heavyStaff].ID, g.staff[owner].ID, g.staff[front].ID

	// Clients.
	firsts := append(append([]string{}, firstNames...), moreFirst...)
	lasts := append(append([]string{}, lastNames...), moreLast...)
	g.clientIDs = make([]string, g.spec.Clients)
	for i := range g.clientIDs {
		id := clock.NewID()
		first, last := firsts[g.rng.IntN(len(firsts))], lasts[g.rng.IntN(len(lasts))]
		dob := time.Date(1940+g.rng.IntN(65), time.Month(1+g.rng.IntN(12)), 1+g.rng.IntN(28), 0, 0, 0, 0, time.UTC).Format("2006-01-02")
		alert := ""
		if i%9 == 0 {
			alert = alerts[(i/9)%len(alerts)]
		}
		email := fmt.Sprintf("%s.%s.%d@mail.example", lower(first), lower(last), i)
		phone := fmt.Sprintf("555-%03d-%04d", 100+i/10000, i%10000)
		if err := ins.clients.add(id, first, last, dob, email, phone, alert, now, now); err != nil {
			return err
		}
		g.clientIDs[i] = id
		g.add(1, "clients")
	}
	g.info.HeavyClientID = g.clientIDs[0]

	// Appointments over four weeks around now, weekdays 9:00-17:00.
	day0 := time.Date(g.now.Year(), g.now.Month(), g.now.Day(), 0, 0, 0, 0, time.UTC)
	services := []string{"Individual therapy", "Initial assessment", "Follow-up", "Couples session"}
	for i := 0; i < g.spec.Appointments; i++ {
		ci := g.clinicians[i%len(g.clinicians)]
		day := day0.AddDate(0, 0, g.rng.IntN(28)-14)
		start := day.Add(time.Duration(9+g.rng.IntN(8)) * time.Hour)
		status := store.ApptScheduled
		if start.Before(g.now) {
			status = store.ApptCompleted
		}
		if g.rng.IntN(15) == 0 {
			status = store.ApptCancelled
		}
		client := g.clientIDs[g.rng.IntN(len(g.clientIDs))]
		if err := ins.appointments.add(clock.NewID(), client, g.staff[ci].ID, ts(start), ts(start.Add(50*time.Minute)),
			services[g.rng.IntN(len(services))], fmt.Sprintf("Room %d", ci%9+1), status, "", now, now); err != nil {
			return err
		}
		g.add(1, "appointments")
	}

	// Threads. Message counts: every thread has one, the long thread
	// spec.LongThread, the rest are spread at random. The heaviest client's
	// threads are the first spec.HeavyThreads and get about 10 messages each
	// (so that their 10,000 attachments fit), the others share what is left.
	counts := make([]int32, g.spec.Threads)
	for i := range counts {
		counts[i] = 1
	}
	counts[0] = int32(g.spec.LongThread)
	left := g.spec.Messages - g.spec.Threads - (g.spec.LongThread - 1)
	heavyExtra := min(left, (g.spec.HeavyThreads-1)*9)
	for i := 0; i < heavyExtra; i++ {
		if g.spec.HeavyThreads > 1 {
			counts[1+g.rng.IntN(g.spec.HeavyThreads-1)]++
		} else {
			counts[0]++
		}
	}
	for i := 0; i < left-heavyExtra; i++ {
		counts[g.spec.HeavyThreads+g.rng.IntN(g.spec.Threads-g.spec.HeavyThreads)]++
	}
	heavyMsgs := 0
	for _, c := range counts[:g.spec.HeavyThreads] {
		heavyMsgs += int(c)
	}
	// Attachments by selection sampling: exactly HeavyAttachments over the
	// heavy threads' messages and the rest over the other messages.
	heavyAttLeft, heavyMsgLeft := g.spec.HeavyAttachments, heavyMsgs
	otherAttLeft, otherMsgLeft := g.spec.Attachments-g.spec.HeavyAttachments, g.spec.Messages-heavyMsgs

	span := 3 * 365 * 24 * time.Hour
	nClin := len(g.clinicians)
	for ti := 0; ti < g.spec.Threads; ti++ {
		if ti%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		heavy := ti < g.spec.HeavyThreads
		var client int
		var staff []int
		clients := []int{}
		if heavy {
			client = 0
			// The heavy clinician takes part in nine threads out of ten (and
			// always in the long one); another clinician in the rest.
			if ti == 0 || g.rng.IntN(10) != 0 {
				staff = []int{heavyStaff}
			} else {
				staff = []int{g.clinicians[1+g.rng.IntN(nClin-1)]}
			}
		} else {
			client = 1 + g.rng.IntN(len(g.clientIDs)-1)
			// Each client has a clinician of their own, most of the time.
			ci := g.clinicians[client%nClin]
			if g.rng.IntN(5) == 0 {
				ci = g.clinicians[g.rng.IntN(nClin)]
			}
			staff = []int{ci}
		}
		clients = append(clients, client)
		switch r := g.rng.IntN(100); {
		case r < 15: // group: clinician, front desk, client
			staff = append(staff, front)
		case r < 20: // group: family members
			other := 1 + g.rng.IntN(len(g.clientIDs)-1)
			if other != client {
				clients = append(clients, other)
			}
		case r < 22:
			staff = append(staff, []int{owner, manager}[r%2])
		}
		if err := g.thread(ins, ti, int(counts[ti]), staff, clients, span, heavy, &heavyAttLeft, &heavyMsgLeft, &otherAttLeft, &otherMsgLeft); err != nil {
			return err
		}
	}
	if err := ins.flush(); err != nil {
		return err
	}
	// The search index, in one pass over the messages.
	g.tick("search index", true)
	if _, err := tx.ExecContext(ctx, `INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')`); err != nil {
		return fmt.Errorf("build the search index: %w", err)
	}
	if _, err := tx.ExecContext(ctx, store.RebuildThreadStatsSQL); err != nil {
		return fmt.Errorf("fill thread_stats: %w", err)
	}
	for name, sql := range triggers {
		if _, err := tx.ExecContext(ctx, sql); err != nil {
			return fmt.Errorf("restore trigger %s: %w", name, err)
		}
	}
	g.add(int64(g.spec.Messages/2), "search index")
	g.tick("saving", true)
	return tx.Commit()
}

// sqliteTime is how the driver writes a time.Time; formatting here gives the
// same text, so comparisons in SQL agree with rows written through gorm.
const sqliteTime = "2006-01-02 15:04:05.999999999-07:00"

func (g *large) thread(ins *inserters, ti, count int, staff, clients []int, span time.Duration, heavy bool,
	heavyAttLeft, heavyMsgLeft, otherAttLeft, otherMsgLeft *int) error {
	ts := func(t time.Time) string { return t.Format(sqliteTime) }
	// Threads start within the last three years; messages follow minutes to
	// days apart and never pass now.
	gap := func() time.Duration { return time.Duration(5+g.rng.IntN(3*24*60)) * time.Minute }
	start := g.now.Add(-time.Duration(g.rng.Int64N(int64(span))))
	if count > 50 {
		start = g.now.Add(-time.Duration(count) * 3 * time.Hour)
		gap = func() time.Duration { return time.Duration(1+g.rng.IntN(5*60)) * time.Minute }
	}
	threadID := clock.NewID()
	if ti == 0 {
		g.info.LongThreadID = threadID
	}
	type author struct {
		kind string
		id   string
	}
	var people []author
	for _, s := range staff {
		people = append(people, author{store.KindStaff, g.staff[s].ID})
	}
	for _, c := range clients {
		people = append(people, author{store.KindClient, g.clientIDs[c]})
	}
	times := make([]time.Time, count)
	t := start
	for i := range times {
		if t.After(g.now) {
			t = g.now.Add(-time.Duration(count-i) * time.Second)
		}
		times[i] = t
		t = t.Add(gap())
	}
	last := times[count-1]
	subject := subjects[g.rng.IntN(len(subjects))]
	if err := ins.threads.add(threadID, subject, store.KindStaff, people[0].id, ts(start), ts(last)); err != nil {
		return err
	}
	for _, p := range people {
		var read any // NULL: never opened
		if p.kind == store.KindStaff {
			switch r := g.rng.IntN(10); {
			case r < 6:
				read = ts(last) // all read
			case r < 9:
				read = ts(times[g.rng.IntN(count)]) // read up to some message
			}
		}
		g.info.Participants++
		if err := ins.participants.add(clock.NewID(), threadID, p.kind, p.id, read, ts(start)); err != nil {
			return err
		}
	}
	for i := 0; i < count; i++ {
		who := people[0]
		if i%2 == 1 {
			who = people[len(staff)+g.rng.IntN(len(clients))]
		} else if i > 0 {
			who = people[g.rng.IntN(len(staff))]
		}
		msgID := clock.NewID()
		if err := ins.messages.add(msgID, threadID, who.kind, who.id, g.body(who.kind), ts(times[i])); err != nil {
			return err
		}
		attLeft, msgLeft := otherAttLeft, otherMsgLeft
		if heavy {
			attLeft, msgLeft = heavyAttLeft, heavyMsgLeft
		}
		if g.rng.IntN(*msgLeft) < *attLeft {
			*attLeft--
			if err := g.attachment(ins, msgID, threadID, who.kind, who.id, staff, times[i]); err != nil {
				return err
			}
		}
		*msgLeft--
	}
	g.add(int64(1+count), "messages")
	return nil
}

func (g *large) attachment(ins *inserters, msgID, threadID, kind, sender string, staff []int, at time.Time) error {
	// A few files are sent very often (forms everyone gets), most rarely:
	// the square favours the first files of the pool.
	f := g.rng.Float64()
	file := g.files[int(f*f*float64(len(g.files)))]
	id := clock.NewID()
	var sharedBy, sharedAt any
	shared := g.rng.IntN(4) == 0
	if shared {
		by := g.staff[staff[0]].ID
		if kind == store.KindStaff {
			by = sender
		}
		sharedBy, sharedAt = by, at.Add(time.Hour).Format(sqliteTime)
	}
	if g.info.ShareAttachmentID == "" && kind == store.KindStaff && sender == g.info.HeavyStaffID && threadID == g.info.LongThreadID {
		g.info.ShareAttachmentID = id
	}
	g.add(1, "messages")
	return ins.attachments.add(id, msgID, threadID, file.blob.SHA256, file.name, file.blob.MIME, file.blob.Size, kind, sender,
		at.Format(sqliteTime), shared, sharedBy, sharedAt)
}

// inserters batch rows per table into multi-row INSERTs.
type inserters struct {
	staff, clients, appointments, blobs, threads, participants, messages, attachments *inserter
	all                                                                               []*inserter
}

func newInserters(ctx context.Context, tx *sql.Tx) *inserters {
	ins := &inserters{}
	mk := func(table, cols string) *inserter {
		in := &inserter{ctx: ctx, tx: tx, table: table, cols: cols, width: strings.Count(cols, ",") + 1}
		// Up to ~900 parameters per statement: large enough to amortise the
		// statement, small enough to stay far below SQLite's limit.
		in.per = max(1, 900/in.width)
		ins.all = append(ins.all, in)
		return in
	}
	ins.staff = mk("staff", "id, first_name, last_name, role, email, credential, created_at, updated_at")
	ins.clients = mk("clients", "id, first_name, last_name, date_of_birth, email, phone, alert, created_at, updated_at")
	ins.appointments = mk("appointments", "id, client_id, staff_id, starts_at, ends_at, service, location, status, notes, created_at, updated_at")
	ins.blobs = mk("blobs", "sha256, size, mime, created_at")
	ins.threads = mk("threads", "id, subject, created_by_kind, created_by_id, created_at, last_activity_at")
	ins.participants = mk("participants", "id, thread_id, kind, person_id, last_read_at, joined_at")
	ins.messages = mk("messages", "id, thread_id, author_kind, author_id, body, created_at")
	ins.attachments = mk("attachments", "id, message_id, thread_id, blob_sha256, name, mime, size, sender_kind, sender_id, created_at, shared_with_staff, shared_by_staff_id, shared_at")
	return ins
}

// flush writes every buffered row, parents first (threads before their
// participants and messages, messages before their attachments).
func (ins *inserters) flush() error {
	for _, in := range ins.all {
		if err := in.flush(); err != nil {
			return err
		}
	}
	return nil
}

func (ins *inserters) close() {
	for _, in := range ins.all {
		if in.full != nil {
			in.full.Close()
		}
	}
}

type inserter struct {
	ctx   context.Context
	tx    *sql.Tx
	table string
	cols  string
	width int
	per   int
	full  *sql.Stmt
	args  []any
}

func (in *inserter) add(vals ...any) error {
	if len(vals) != in.width {
		return fmt.Errorf("insert into %s: %d values for %d columns", in.table, len(vals), in.width)
	}
	in.args = append(in.args, vals...)
	if len(in.args) == in.per*in.width {
		return in.flush()
	}
	return nil
}

func (in *inserter) sql(rows int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", in.width), ",") + ")"
	return "INSERT INTO " + in.table + " (" + in.cols + ") VALUES " + strings.TrimSuffix(strings.Repeat(one+",", rows), ",")
}

func (in *inserter) flush() error {
	rows := len(in.args) / in.width
	if rows == 0 {
		return nil
	}
	var err error
	if rows == in.per {
		if in.full == nil {
			if in.full, err = in.tx.PrepareContext(in.ctx, in.sql(rows)); err != nil {
				return fmt.Errorf("prepare insert into %s: %w", in.table, err)
			}
		}
		_, err = in.full.ExecContext(in.ctx, in.args...)
	} else {
		_, err = in.tx.ExecContext(in.ctx, in.sql(rows), in.args...)
	}
	if err != nil {
		return fmt.Errorf("insert into %s: %w", in.table, err)
	}
	clear(in.args)
	in.args = in.args[:0]
	return nil
}
