package hub_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"clinicdesk/backend/store"
)

// portalUser is a browser for the portal: a cookie jar and no redirects
// followed automatically beyond the ones the test reads.
type portalUser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newPortalUser(t *testing.T, th *testHub) *portalUser {
	jar, _ := cookiejar.New(nil)
	return &portalUser{t: t, base: th.srv.URL, c: &http.Client{Jar: jar}}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([0-9a-f]{64})"`)

func (u *portalUser) get(path string) (int, string) {
	u.t.Helper()
	resp, err := u.c.Get(u.base + path)
	if err != nil {
		u.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (u *portalUser) post(path string, form url.Values) (int, string) {
	u.t.Helper()
	resp, err := u.c.PostForm(u.base+path, form)
	if err != nil {
		u.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token in page:\n%.500s", page)
	}
	return m[1]
}

// signIn runs the e-mail + one-time code sign-in, reading the code from
// the hub's log as a practice with no mail set up would.
func (u *portalUser) signIn(th *testHub, email string) string {
	u.t.Helper()
	_, page := u.get("/portal/")
	st, page := u.post("/portal/sign-in", url.Values{"csrf": {csrfOf(u.t, page)}, "email": {email}})
	if st != http.StatusOK || !strings.Contains(page, "Enter your code") {
		u.t.Fatalf("sign-in: %d\n%.400s", st, page)
	}
	code := lastCode(u.t, th, email)
	st, page = u.post("/portal/verify", url.Values{"csrf": {csrfOf(u.t, page)}, "email": {email}, "code": {code}})
	if st != http.StatusOK || !strings.Contains(page, "Your messages") {
		u.t.Fatalf("verify: %d\n%.400s", st, page)
	}
	return page
}

func lastCode(t *testing.T, th *testHub, email string) string {
	t.Helper()
	re := regexp.MustCompile(`portal sign-in code for ` + regexp.QuoteMeta(strings.ToLower(email)) + `: (\d{6})`)
	m := re.FindAllStringSubmatch(th.logs.String(), -1)
	if len(m) == 0 {
		t.Fatalf("no code for %s in the hub's log:\n%s", email, th.logs.String())
	}
	return m[len(m)-1][1]
}

// portalPractice is a hub seeded by desk A with two clients, each in their
// own thread with a file.
type portalPractice struct {
	th               *testHub
	a                *testDesk
	c1, c2           store.Client
	thread1, thread2 string
}

func newPortalPractice(t *testing.T) portalPractice {
	th := startHub(t, t.TempDir()+"/hub.db")
	a := openDesk(t, "deskA", true)
	owner := a.staff(t, store.RoleOwner)
	c1, c2 := a.client(t, 0), a.client(t, 1)
	t1 := a.compose(t, owner, c1, "Intake for client one", []byte("for client one only\n"))
	t2 := a.compose(t, owner, c2, "Private to client two", []byte("for client two only\n"))
	a.join(t, th)
	a.sync(t)
	return portalPractice{th: th, a: a, c1: c1, c2: c2, thread1: t1.ID, thread2: t2.ID}
}

func TestPortalClientSignsInAndSeesOnlyTheirOwnThreads(t *testing.T) {
	p := newPortalPractice(t)
	u := newPortalUser(t, p.th)
	page := u.signIn(p.th, strings.ToUpper(p.c1.Email)) // addresses match whatever the case
	if !strings.Contains(page, "Intake for client one") || strings.Contains(page, "Private to client two") {
		t.Fatalf("thread list shows the wrong threads:\n%s", page)
	}
	st, page := u.get("/portal/threads/" + p.thread1)
	if st != http.StatusOK || !strings.Contains(page, "Intake for client one.txt") {
		t.Fatalf("own thread: %d\n%.600s", st, page)
	}
	if strings.Contains(strings.ToLower(page), "shared") {
		t.Error("the portal shows sharing state")
	}
	att1 := attachmentOf(t, p.a, p.thread1)
	st, body := u.get("/portal/attachments/" + att1.ID)
	if st != http.StatusOK || body != "for client one only\n" {
		t.Fatalf("download own attachment: %d %q", st, body)
	}
	// Another client's thread and file do not exist for this client.
	if st, page := u.get("/portal/threads/" + p.thread2); st != http.StatusNotFound || strings.Contains(page, "Private to client two") {
		t.Errorf("other client's thread: %d", st)
	}
	att2 := attachmentOf(t, p.a, p.thread2)
	if st, body := u.get("/portal/attachments/" + att2.ID); st != http.StatusNotFound || strings.Contains(body, "client two") {
		t.Errorf("other client's attachment: %d", st)
	}
	// A stranger is told the same as a client and gets no code.
	v := newPortalUser(t, p.th)
	_, pg := v.get("/portal/")
	st, pg = v.post("/portal/sign-in", url.Values{"csrf": {csrfOf(t, pg)}, "email": {"nobody@nowhere.example"}})
	if st != http.StatusOK || !strings.Contains(pg, "If nobody@nowhere.example is registered") {
		t.Errorf("unknown address: %d", st)
	}
	if strings.Contains(p.th.logs.String(), "code for nobody@") {
		t.Error("a code was made for an unknown address")
	}
}

func TestPortalRefusesWrongCodesAfterFiveTries(t *testing.T) {
	p := newPortalPractice(t)
	u := newPortalUser(t, p.th)
	_, page := u.get("/portal/")
	_, page = u.post("/portal/sign-in", url.Values{"csrf": {csrfOf(t, page)}, "email": {p.c1.Email}})
	code := lastCode(t, p.th, p.c1.Email)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	csrf := csrfOf(t, page)
	for i := 0; i < 5; i++ {
		if st, _ := u.post("/portal/verify", url.Values{"csrf": {csrf}, "email": {p.c1.Email}, "code": {wrong}}); st != http.StatusForbidden {
			t.Fatalf("wrong code %d accepted: %d", i, st)
		}
	}
	st, pg := u.post("/portal/verify", url.Values{"csrf": {csrf}, "email": {p.c1.Email}, "code": {code}})
	if st != http.StatusForbidden || !strings.Contains(pg, "Too many wrong tries") {
		t.Fatalf("right code after five wrong ones: %d", st)
	}
}

func TestPortalRefusesFormsWithoutTheirCSRFToken(t *testing.T) {
	p := newPortalPractice(t)
	// Sign-in without the double-submit cookie's token.
	u := newPortalUser(t, p.th)
	u.get("/portal/")
	if st, _ := u.post("/portal/sign-in", url.Values{"csrf": {strings.Repeat("a", 64)}, "email": {p.c1.Email}}); st != http.StatusForbidden {
		t.Errorf("sign-in with a forged token: %d", st)
	}
	u.signIn(p.th, p.c1.Email)
	before := count(t, p.th.hub().DB(), "messages")
	st, _ := u.reply(p.thread1, strings.Repeat("b", 64), "forged", "", nil)
	if st != http.StatusForbidden {
		t.Errorf("reply with a forged token: %d", st)
	}
	// A cross-site post carries a foreign Origin even with a token.
	_, page := u.get("/portal/threads/" + p.thread1)
	st, _ = u.reply(p.thread1, csrfOf(t, page), "cross-site", "https://evil.example", nil)
	if st != http.StatusForbidden {
		t.Errorf("cross-site reply: %d", st)
	}
	if after := count(t, p.th.hub().DB(), "messages"); after != before {
		t.Errorf("a refused reply was stored (%d → %d messages)", before, after)
	}
}

// reply posts the thread's reply form as multipart, with files by name.
func (u *portalUser) reply(threadID, csrf, body, origin string, files map[string][]byte) (int, string) {
	u.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", csrf)
	mw.WriteField("body", body)
	for name, data := range files {
		fw, _ := mw.CreateFormFile("files", name)
		fw.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, u.base+"/portal/threads/"+threadID+"/reply", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := u.c.Do(req)
	if err != nil {
		u.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestPortalReplyWithAttachmentReachesTheDeskAfterSync(t *testing.T) {
	p := newPortalPractice(t)
	u := newPortalUser(t, p.th)
	u.signIn(p.th, p.c1.Email)
	_, page := u.get("/portal/threads/" + p.thread1)
	csrf := csrfOf(t, page)
	// The desk's file checks apply: a program is refused and nothing is stored.
	st, page := u.reply(p.thread1, csrf, "with a program", "", map[string][]byte{"setup.exe": append([]byte("MZ"), make([]byte, 200)...)})
	if st != http.StatusBadRequest {
		t.Fatalf("executable reply: %d\n%.300s", st, page)
	}
	st, page = u.reply(p.thread1, csrf, "Here is my form, filled in.", u.base, map[string][]byte{"My form.txt": []byte("filled in by the client\n")})
	if st != http.StatusOK || !strings.Contains(page, "Your reply was sent.") || !strings.Contains(page, "My form.txt") {
		t.Fatalf("reply: %d\n%.600s", st, page)
	}
	p.a.sync(t)
	var m store.Message
	if err := p.a.DB.Where("thread_id = ? AND author_kind = 'client'", p.thread1).First(&m).Error; err != nil {
		t.Fatalf("the client's reply did not reach the desk: %v", err)
	}
	if m.Body != "Here is my form, filled in." || m.AuthorID != p.c1.ID {
		t.Errorf("reply on the desk = %+v", m)
	}
	var att store.Attachment
	if err := p.a.DB.Where("message_id = ?", m.ID).First(&att).Error; err != nil {
		t.Fatalf("the reply's attachment did not reach the desk: %v", err)
	}
	b, err := p.a.Blobs.ReadAll(att.BlobSHA256)
	if err != nil || string(b) != "filled in by the client\n" {
		t.Fatalf("attachment bytes on the desk: %q, %v", b, err)
	}
	if att.SenderKind != store.KindClient || att.SharedWithStaff {
		t.Errorf("attachment on the desk = %+v", att)
	}
	assertSame(t, p.th, p.a)

	// The practice deletes it: the portal shows the placeholder and the
	// file is no longer served.
	owner := p.a.staff(t, store.RoleOwner)
	if _, err := p.a.Settings.SetRecordsDeletion(owner, true); err != nil {
		t.Fatal(err)
	}
	if err := p.a.Attachments.Delete(owner, att.ID); err != nil {
		t.Fatal(err)
	}
	p.a.sync(t)
	_, page = u.get("/portal/threads/" + p.thread1)
	if !strings.Contains(page, "Attachment removed by the practice") || strings.Contains(page, "My form.txt") {
		t.Errorf("deleted attachment in the portal:\n%.800s", page)
	}
	if st, _ := u.get("/portal/attachments/" + att.ID); st != http.StatusNotFound {
		t.Errorf("deleted attachment download: %d", st)
	}
}

// countingReader counts the bytes the hub read of a request body.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// A refused reply keeps none of the files it brought, and a reply declared
// larger than the most a reply may carry is refused before a byte of it is
// read.
func TestPortalRefusedReplyLeavesNoBytesAndTooLargeIsRefusedUnread(t *testing.T) {
	p := newPortalPractice(t)
	u := newPortalUser(t, p.th)
	u.signIn(p.th, p.c1.Email)
	_, page := u.get("/portal/threads/" + p.thread1)
	csrf := csrfOf(t, page)
	good := []byte("a good form, refused with its companion\n")
	hash := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

	// A good file, then a program: the reply is refused, the good file too.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", csrf)
	mw.WriteField("body", "two files")
	fw, _ := mw.CreateFormFile("files", "form.txt")
	fw.Write(good)
	fw, _ = mw.CreateFormFile("files", "setup.exe")
	fw.Write(append([]byte("MZ"), make([]byte, 200)...))
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, u.base+"/portal/threads/"+p.thread1+"/reply", bytes.NewReader(buf.Bytes()))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := u.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("reply with a program: %d", resp.StatusCode)
	}
	blobs := p.th.cur.Load().Blobs()
	if blobs.Has(hash(good)) {
		t.Error("the good file of a refused reply is still in the hub's blob store")
	}
	// A text that is too long after a good file: refused, nothing kept.
	st, _ := u.reply(p.thread1, csrf, strings.Repeat("x", 4*20000+10), "", map[string][]byte{"other.txt": []byte("kept?\n")})
	if st != http.StatusBadRequest || blobs.Has(hash([]byte("kept?\n"))) {
		t.Errorf("reply too long: %d, file kept %v", st, blobs.Has(hash([]byte("kept?\n"))))
	}

	// Declared larger than 20 files at the limit: refused unread.
	cookies := u.c.Jar.Cookies(req.URL)
	body := &countingReader{r: strings.NewReader(strings.Repeat("x", 1<<20))}
	big := httptest.NewRequest(http.MethodPost, "/portal/threads/"+p.thread1+"/reply", body)
	big.ContentLength = 21 * 500 << 20
	big.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	big.Header.Set("Origin", "http://"+big.Host)
	for _, c := range cookies {
		big.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	p.th.cur.Load().Handler().ServeHTTP(rec, big)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("a reply declared at %d bytes: %d\n%.300s", big.ContentLength, rec.Code, rec.Body.String())
	}
	if body.n != 0 {
		t.Errorf("the hub read %d bytes of a reply it refused by its size", body.n)
	}
	if ents, _ := os.ReadDir(filepath.Join(p.th.dir, "blobs", "tmp")); len(ents) != 0 {
		t.Errorf("temp files left: %v", ents)
	}
}

// TestPortalSaysTheSenderRemovedHerOwnAttachment: when the staff member who
// sent a file removes it, the portal does not blame "the practice".
func TestPortalSaysTheSenderRemovedHerOwnAttachment(t *testing.T) {
	p := newPortalPractice(t)
	owner := p.a.staff(t, store.RoleOwner) // sent thread1's file
	if _, err := p.a.Settings.SetRecordsDeletion(owner, true); err != nil {
		t.Fatal(err)
	}
	att := attachmentOf(t, p.a, p.thread1)
	if err := p.a.Attachments.Delete(owner, att.ID); err != nil {
		t.Fatal(err)
	}
	p.a.sync(t)
	u := newPortalUser(t, p.th)
	u.signIn(p.th, p.c1.Email)
	_, page := u.get("/portal/threads/" + p.thread1)
	if !strings.Contains(page, "Attachment removed by the sender") || strings.Contains(page, "removed by the practice") {
		t.Errorf("the sender's own removal in the portal:\n%.1200s", page)
	}
}
