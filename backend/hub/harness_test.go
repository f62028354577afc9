package hub_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"clinicdesk/backend/access"
	"clinicdesk/backend/demo"
	"clinicdesk/backend/desk"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/hub"
	"clinicdesk/backend/store"
	"clinicdesk/backend/sync"
)

// backends lists the databases every hub test runs on: SQLite always, and
// PostgreSQL when CLINICDESK_TEST_POSTGRES holds a DSN
// (backend/hub/testdata/postgres.sh starts one and prints it).
func backends(t *testing.T, fn func(t *testing.T, newDSN func() string)) {
	t.Run("sqlite", func(t *testing.T) {
		fn(t, func() string { return filepath.Join(t.TempDir(), "hub.db") })
	})
	t.Run("postgres", func(t *testing.T) {
		base := os.Getenv("CLINICDESK_TEST_POSTGRES")
		if base == "" {
			t.Skip("CLINICDESK_TEST_POSTGRES is not set: skipping the PostgreSQL hub tests (run backend/hub/testdata/postgres.sh as root and export the DSN it prints)")
		}
		fn(t, func() string { return pgSchema(t, base) })
	})
}

// pgSchema creates a throwaway schema and returns a DSN that uses it.
func pgSchema(t *testing.T, base string) string {
	t.Helper()
	db, err := gorm.Open(postgres.Open(base), &gorm.Config{Logger: logger.Default.LogMode(logger.Silent)})
	if err != nil {
		t.Fatalf("connect to PostgreSQL: %v", err)
	}
	name := "t_" + strings.ReplaceAll(uuid.NewString(), "-", "")[:16]
	if err := db.Exec("CREATE SCHEMA " + name).Error; err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Exec("DROP SCHEMA " + name + " CASCADE")
		if s, err := db.DB(); err == nil {
			s.Close()
		}
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + name
}

// testHub is a hub on a loopback listener whose process can be "restarted":
// the hub is closed and opened again on the same database and blob store
// while the address stays.
type testHub struct {
	t    testing.TB
	dsn  string
	dir  string
	cur  atomic.Pointer[hub.Hub]
	srv  *httptest.Server
	logs *logBuf
	down atomic.Bool
	// configure, when set, adjusts the hub's configuration (clock, limits).
	configure func(*hub.Config)
}

type logBuf struct {
	mu  gosync.Mutex
	buf bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func startHub(t testing.TB, dsn string) *testHub {
	t.Helper()
	return startHubIn(t, dsn, t.TempDir())
}

// startHubIn starts a hub keeping its blobs under dir (hubs that serve one
// practice share the database and the blob directory).
func startHubIn(t testing.TB, dsn, dir string) *testHub {
	t.Helper()
	return startHubWith(t, dsn, dir, nil)
}

// startHubWith starts a hub whose configuration configure adjusts.
func startHubWith(t testing.TB, dsn, dir string, configure func(*hub.Config)) *testHub {
	t.Helper()
	th := &testHub{t: t, dsn: dsn, dir: dir, logs: &logBuf{}, configure: configure}
	th.open()
	th.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := th.cur.Load()
		if h == nil || th.down.Load() {
			http.Error(w, "hub restarting", http.StatusServiceUnavailable)
			return
		}
		h.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		th.srv.Close()
		if h := th.cur.Load(); h != nil {
			h.Close()
		}
	})
	return th
}

func (th *testHub) open() {
	cfg := hub.Config{DB: th.dsn, BlobDir: filepath.Join(th.dir, "blobs"), Logger: log.New(th.logs, "", 0)}
	if th.configure != nil {
		th.configure(&cfg)
	}
	h, err := hub.Open(cfg)
	if err != nil {
		th.t.Fatalf("open hub: %v", err)
	}
	th.cur.Store(h)
}

// restart closes the hub and opens a new one on the same data.
func (th *testHub) restart() {
	th.down.Store(true)
	old := th.cur.Swap(nil)
	old.Close()
	th.open()
	th.down.Store(false)
}

func (th *testHub) hub() *hub.Hub { return th.cur.Load() }

func (th *testHub) code() string {
	th.t.Helper()
	c, _, err := th.hub().NewEnrollCode("test")
	if err != nil {
		th.t.Fatal(err)
	}
	return c
}

// net is a test transport: it can take the desk offline, cut a push after
// the hub has committed it (the answer is lost), or cut a request body after
// some bytes.
type net struct {
	base        http.RoundTripper
	offline     atomic.Bool
	loseAnswers atomic.Int32 // push answers to lose after the hub processed them
	cutBodies   atomic.Int32 // push bodies to cut after cutAt bytes
	cutAt       int64
	onRequest   func(n int64, r *http.Request) // called before each request
	requests    atomic.Int64
}

var errNetDown = errors.New("test network: down")

func (n *net) RoundTrip(r *http.Request) (*http.Response, error) {
	k := n.requests.Add(1)
	if n.onRequest != nil {
		n.onRequest(k, r)
	}
	if n.offline.Load() {
		return nil, errNetDown
	}
	if strings.HasSuffix(r.URL.Path, "/push") && n.cutBodies.Load() > 0 {
		n.cutBodies.Add(-1)
		r = r.Clone(r.Context())
		r.Body = &cutReader{r: r.Body, left: n.cutAt}
	}
	resp, err := n.base.RoundTrip(r)
	if err == nil && strings.HasSuffix(r.URL.Path, "/push") && n.loseAnswers.Load() > 0 {
		n.loseAnswers.Add(-1)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil, errors.New("test network: connection reset while reading the answer")
	}
	return resp, err
}

type cutReader struct {
	r    io.ReadCloser
	left int64
}

func (c *cutReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, errors.New("test network: connection cut mid-request")
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

func (c *cutReader) Close() error { return c.r.Close() }

// testDesk is a desk on a temp dir with its sync engine.
type testDesk struct {
	*desk.Desk
	name string
	eng  *sync.Engine
	net  *net
}

func openDesk(t testing.TB, name string, withDemo bool) *testDesk {
	t.Helper()
	d, err := desk.Open(context.Background(), t.TempDir(), desk.Options{Demo: withDemo})
	if err != nil {
		t.Fatal(err)
	}
	n := &net{base: http.DefaultTransport}
	td := &testDesk{Desk: d, name: name, net: n}
	td.eng = sync.NewEngine(d.DB, d.Blobs, d.Rec, sync.Options{Transport: n, PollInterval: 50 * time.Millisecond,
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, BatchSize: 200, DeskName: name})
	t.Cleanup(func() {
		td.eng.Stop()
		d.Close()
	})
	return td
}

func (d *testDesk) join(t testing.TB, th *testHub) {
	t.Helper()
	if err := d.eng.Join(context.Background(), th.srv.URL, th.code()); err != nil {
		t.Fatalf("%s joins: %v", d.name, err)
	}
}

func (d *testDesk) sync(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := d.eng.Round(ctx); err != nil {
		t.Fatalf("%s sync: %v", d.name, err)
	}
}

func (d *testDesk) staff(t testing.TB, role string) access.Actor {
	t.Helper()
	var s store.Staff
	if err := d.DB.Where("role = ? AND active = ?", role, true).Order("id").First(&s).Error; err != nil {
		t.Fatalf("%s has no %s: %v", d.name, role, err)
	}
	// The hub believes a change only with the signature of the staff member
	// who made it: they sign in (opening their signing key), as on a desk.
	if cur := d.Session.Actor(); cur.StaffID != s.ID {
		if _, err := d.Auth.SignIn(s.ID, demo.PIN); err != nil {
			t.Fatalf("%s: %s signs in: %v", d.name, s.FullName(), err)
		}
	}
	return access.Actor{StaffID: s.ID, Role: s.Role, Name: s.FullName()}
}

func (d *testDesk) client(t testing.TB, i int) store.Client {
	t.Helper()
	var cs []store.Client
	if err := d.DB.Order("id").Find(&cs).Error; err != nil || len(cs) <= i {
		t.Fatalf("%s clients: %v (%d)", d.name, err, len(cs))
	}
	return cs[i]
}

// compose sends a new thread from a to client c with a text file attached.
func (d *testDesk) compose(t testing.TB, a access.Actor, c store.Client, subject string, file []byte) dto.Thread {
	t.Helper()
	var files []dto.OutgoingFile
	if file != nil {
		st, err := d.Attachments.StageReader(context.Background(), a, bytes.NewReader(file), subject+".txt", nil)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, dto.OutgoingFile{Token: st.Token, Name: st.Name})
	}
	th, err := d.Messages.Compose(a, dto.ComposeRequest{ClientID: c.ID, Subject: subject, Body: "Body of " + subject, Files: files})
	if err != nil {
		t.Fatalf("%s compose: %v", d.name, err)
	}
	return th
}

// assertSame compares the hub and every desk table by table, row by row, and
// checks that every blob row has verified bytes in every store.
func assertSame(t testing.TB, th *testHub, desks ...*testDesk) {
	t.Helper()
	want, err := sync.Fingerprint(th.hub().DB())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range desks {
		got, err := sync.Fingerprint(d.DB.DB)
		if err != nil {
			t.Fatal(err)
		}
		if diff := sync.Diff("hub", want, d.name, got); diff != "" {
			t.Fatalf("hub and %s differ:\n%s", d.name, diff)
		}
		for sha := range want["blob"] {
			if err := d.Blobs.Verify(sha); err != nil {
				t.Fatalf("%s: blob %s: %v", d.name, sha, err)
			}
		}
	}
	for sha := range want["blob"] {
		if err := th.hub().Blobs().Verify(sha); err != nil {
			t.Fatalf("hub: blob %s: %v", sha, err)
		}
	}
	total := 0
	for _, rows := range want {
		total += len(rows)
	}
	if total == 0 {
		t.Fatal("nothing to compare: the hub is empty")
	}
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	// A background loop's work takes what the machine gives it (under -race
	// on a loaded 2-core machine, many times the usual): wait until the
	// test binary's own deadline is near rather than a fixed time, so a slow
	// machine never fails a test that would pass.
	deadline := time.Now().Add(within)
	if d, ok := t.Deadline(); ok && d.Add(-30*time.Second).After(deadline) {
		deadline = d.Add(-30 * time.Second)
	}
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s (the test binary's deadline is near)", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func count(t testing.TB, db *gorm.DB, table string) int64 {
	t.Helper()
	var n int64
	if err := db.Table(table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}
