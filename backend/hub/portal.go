package hub

import (
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math/big"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"clinicdesk/backend/apperr"
	"clinicdesk/backend/attachments"
	"clinicdesk/backend/clock"
	"clinicdesk/backend/files"
	"clinicdesk/backend/messaging"
	"clinicdesk/backend/store"
	"clinicdesk/backend/sync"
)

// The client portal: plain server-rendered pages (no scripts, no external
// assets). A client signs in with their e-mail address and a one-time code,
// sees only the threads they take part in, downloads the attachments of
// those threads and replies with files. Sharing state and other clients'
// data never reach these pages.

//go:embed portal/*.html portal/style.css
var portalFS embed.FS

var portalTmpl = template.Must(template.New("").Funcs(template.FuncMap{
	"size": humanSize,
	"when": func(t time.Time) string { return t.UTC().Format("2 Jan 2006, 15:04 UTC") },
}).ParseFS(portalFS, "portal/*.html"))

const (
	sessionCookie  = "cd_portal"
	preCSRFCookie  = "cd_csrf"
	codeTTL        = 10 * time.Minute
	codeMaxTries   = 5
	codesPerHour   = 5
	sessionTTL     = 12 * time.Hour
	portalMaxFiles = messaging.MaxFiles
)

func (h *Hub) portalRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/portal/", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /portal/style.css", func(w http.ResponseWriter, r *http.Request) {
		b, _ := portalFS.ReadFile("portal/style.css")
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "max-age=3600")
		w.Write(b)
	})
	mux.HandleFunc("GET /portal/{$}", h.portalHome)
	mux.HandleFunc("POST /portal/sign-in", h.portalSignIn)
	mux.HandleFunc("POST /portal/verify", h.portalVerify)
	mux.HandleFunc("POST /portal/sign-out", h.withClient(h.portalSignOut))
	mux.HandleFunc("GET /portal/threads/{id}", h.withClient(h.portalThread))
	mux.HandleFunc("POST /portal/threads/{id}/reply", h.withClient(h.portalReply))
	mux.HandleFunc("GET /portal/attachments/{id}", h.withClient(h.portalDownload))
}

func secureHeaders(w http.ResponseWriter) {
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	// same-origin (not no-referrer): browsers then send a real Origin on
	// the portal's own form posts, which sameOrigin checks.
	w.Header().Set("Referrer-Policy", "same-origin")
	w.Header().Set("Cache-Control", "no-store")
}

type page struct {
	Title    string
	Practice string
	Client   string
	CSRF     string
	Error    string
	Info     string
	Email    string
	Threads  []threadItem
	Thread   *threadView
	MaxBytes int64
}

func (h *Hub) render(w http.ResponseWriter, status int, name string, p page) {
	secureHeaders(w)
	if p.Practice == "" {
		set, _ := store.GetSettings(h.db)
		p.Practice = set.PracticeName
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := portalTmpl.ExecuteTemplate(w, name, p); err != nil {
		h.log.Printf("portal template %s: %v", name, err)
	}
}

func (h *Hub) secure(r *http.Request) bool { return h.cfg.SecureCookies || r.TLS != nil }

// preCSRF returns the double-submit token of a visitor not signed in yet.
func (h *Hub) preCSRF(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(preCSRFCookie); err == nil && len(c.Value) == 64 {
		return c.Value
	}
	t := randomToken()
	http.SetCookie(w, &http.Cookie{Name: preCSRFCookie, Value: t, Path: "/portal/", HttpOnly: true, Secure: h.secure(r), SameSite: http.SameSiteStrictMode})
	return t
}

// checkPreCSRF compares the form's token with the cookie's.
func checkPreCSRF(r *http.Request, formValue string) bool {
	c, err := r.Cookie(preCSRFCookie)
	return err == nil && len(c.Value) == 64 && subtle.ConstantTimeCompare([]byte(c.Value), []byte(formValue)) == 1 && sameOrigin(r)
}

// sameOrigin refuses a cross-site form post when the browser says where it
// came from.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" || o == "null" {
		return o == ""
	}
	u, err := url.Parse(o)
	if err != nil {
		return false
	}
	return u.Host == r.Host || (r.Header.Get("X-Forwarded-Host") != "" && u.Host == r.Header.Get("X-Forwarded-Host"))
}

func (h *Hub) portalHome(w http.ResponseWriter, r *http.Request) {
	s, c, ok := h.session(r)
	if !ok {
		h.render(w, http.StatusOK, "signin.html", page{Title: "Sign in", CSRF: h.preCSRF(w, r)})
		return
	}
	threads, err := h.clientThreads(c.ID)
	if err != nil {
		h.portalError(w, err)
		return
	}
	h.render(w, http.StatusOK, "threads.html", page{Title: "Your messages", Client: c.FullName(), CSRF: s.CSRF, Threads: threads})
}

func (h *Hub) portalError(w http.ResponseWriter, err error) {
	h.log.Printf("portal: %v", err)
	h.render(w, http.StatusInternalServerError, "error.html", page{Title: "Something went wrong", Error: "Something went wrong on our side. Please try again in a moment."})
}

func normEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

func (h *Hub) portalSignIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil || !checkPreCSRF(r, r.PostFormValue("csrf")) {
		h.render(w, http.StatusForbidden, "error.html", page{Title: "Please try again", Error: "This form expired. Go back to the sign-in page and try again."})
		return
	}
	email := normEmail(r.PostFormValue("email"))
	csrf := h.preCSRF(w, r)
	if email == "" || !strings.Contains(email, "@") || len(email) > 254 {
		h.render(w, http.StatusBadRequest, "signin.html", page{Title: "Sign in", CSRF: csrf, Error: "Enter the e-mail address the practice has for you."})
		return
	}
	if err := h.sendCode(email); err != nil {
		h.portalError(w, err)
		return
	}
	// The same answer whether or not the address is known: the portal never
	// tells a stranger who the practice's clients are.
	h.render(w, http.StatusOK, "code.html", page{Title: "Enter your code", CSRF: csrf, Email: email,
		Info: "If " + email + " is registered with the practice, a sign-in code is on its way. It works for 10 minutes."})
}

func (h *Hub) sendCode(email string) error {
	var cs []store.Client
	if err := h.db.Where("LOWER(email) = ?", email).Order("id").Limit(1).Find(&cs).Error; err != nil {
		return err
	}
	if len(cs) == 0 {
		h.log.Printf("portal: sign-in code requested for an unknown address")
		return nil
	}
	now := h.clock.Now()
	var recent int64
	if err := h.db.Model(&portalCode{}).Where("email = ? AND created_at > ?", email, now.Add(-time.Hour)).Count(&recent).Error; err != nil {
		return err
	}
	if recent >= codesPerHour {
		h.log.Printf("portal: too many codes requested for one address; not sending another")
		return nil
	}
	n, err := rand.Int(rand.Reader, big.NewInt(1000000))
	if err != nil {
		return err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	hash, err := h.secretHash("portal\x1f" + email + "\x1f" + code)
	if err != nil {
		return err
	}
	if err := h.db.Create(&portalCode{ID: clock.NewID(), Email: email, ClientID: cs[0].ID, CodeHash: hash, CreatedAt: now, ExpiresAt: now.Add(codeTTL)}).Error; err != nil {
		return err
	}
	if h.cfg.SendCode != nil {
		return h.cfg.SendCode(email, code)
	}
	h.log.Printf("portal sign-in code for %s: %s (no mail configured; give it to the client)", email, code)
	return nil
}

func (h *Hub) portalVerify(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil || !checkPreCSRF(r, r.PostFormValue("csrf")) {
		h.render(w, http.StatusForbidden, "error.html", page{Title: "Please try again", Error: "This form expired. Go back to the sign-in page and try again."})
		return
	}
	email := normEmail(r.PostFormValue("email"))
	code := strings.TrimSpace(r.PostFormValue("code"))
	csrf := h.preCSRF(w, r)
	if !h.guard.portalAddr.allow(sourceOf(r)) || !h.guard.portalTo.allow(email) {
		h.log.Printf("portal: sign-in code guesses throttled")
		w.Header().Set("Retry-After", "60")
		h.render(w, http.StatusTooManyRequests, "code.html", page{Title: "Enter your code", CSRF: csrf, Email: email,
			Error: "Too many tries. Wait a minute and try again."})
		return
	}
	now := h.clock.Now()
	var clientID string
	bad := "That code is not right, or it has expired. Check it and try again, or ask for a new one."
	err := h.db.Transaction(func(tx *gorm.DB) error {
		var pc []portalCode
		if err := tx.Where("email = ? AND used_at IS NULL AND expires_at > ?", email, now).Order("created_at DESC").Limit(1).Find(&pc).Error; err != nil {
			return err
		}
		if len(pc) == 0 {
			return nil
		}
		// A try is claimed before the code is compared, in one statement:
		// concurrent guesses on PostgreSQL wait for each other's row lock
		// and re-read tries, so at most codeMaxTries are ever compared.
		var claimed []int
		if err := tx.Raw(`UPDATE portal_codes SET tries = tries + 1 WHERE id = ? AND tries < ? AND used_at IS NULL RETURNING tries`,
			pc[0].ID, codeMaxTries).Scan(&claimed).Error; err != nil {
			return err
		}
		if len(claimed) == 0 {
			bad = "Too many wrong tries. Ask for a new code."
			return nil
		}
		hash, err := h.secretHash("portal\x1f" + email + "\x1f" + code)
		if err != nil {
			return err
		}
		if subtle.ConstantTimeCompare([]byte(hash), []byte(pc[0].CodeHash)) != 1 {
			return nil
		}
		used := tx.Model(&portalCode{}).Where("id = ? AND used_at IS NULL", pc[0].ID).Update("used_at", now)
		if used.Error != nil || used.RowsAffected != 1 {
			return used.Error // used meanwhile by a concurrent right guess
		}
		clientID = pc[0].ClientID
		return nil
	})
	if err != nil {
		h.portalError(w, err)
		return
	}
	if clientID == "" {
		h.render(w, http.StatusForbidden, "code.html", page{Title: "Enter your code", CSRF: csrf, Email: email, Error: bad})
		return
	}
	token := randomToken()
	if err := h.db.Create(&portalSession{TokenHash: hashToken(token), ClientID: clientID, CSRF: randomToken(), CreatedAt: now, ExpiresAt: now.Add(sessionTTL)}).Error; err != nil {
		h.portalError(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/portal/", HttpOnly: true, Secure: h.secure(r),
		SameSite: http.SameSiteStrictMode, MaxAge: int(sessionTTL.Seconds())})
	http.Redirect(w, r, "/portal/", http.StatusSeeOther)
}

func (h *Hub) session(r *http.Request) (portalSession, store.Client, bool) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil || len(ck.Value) != 64 {
		return portalSession{}, store.Client{}, false
	}
	var ss []portalSession
	if err := h.db.Where("token_hash = ? AND expires_at > ?", hashToken(ck.Value), h.clock.Now()).Limit(1).Find(&ss).Error; err != nil || len(ss) == 0 {
		return portalSession{}, store.Client{}, false
	}
	var cs []store.Client
	if err := h.db.Where("id = ?", ss[0].ClientID).Limit(1).Find(&cs).Error; err != nil || len(cs) == 0 {
		return portalSession{}, store.Client{}, false
	}
	return ss[0], cs[0], true
}

type clientHandler func(w http.ResponseWriter, r *http.Request, s portalSession, c store.Client)

func (h *Hub) withClient(next clientHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, c, ok := h.session(r)
		if !ok {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/portal/", http.StatusSeeOther)
				return
			}
			h.render(w, http.StatusForbidden, "error.html", page{Title: "Signed out", Error: "You are signed out. Sign in again to continue."})
			return
		}
		next(w, r, s, c)
	}
}

func (h *Hub) portalSignOut(w http.ResponseWriter, r *http.Request, s portalSession, c store.Client) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if r.ParseForm() != nil || subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(s.CSRF)) != 1 || !sameOrigin(r) {
		h.render(w, http.StatusForbidden, "error.html", page{Title: "Please try again", Error: "This form expired. Reload the page and try again."})
		return
	}
	h.db.Where("token_hash = ?", s.TokenHash).Delete(&portalSession{})
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/portal/", MaxAge: -1, HttpOnly: true, Secure: h.secure(r), SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/portal/", http.StatusSeeOther)
}

type threadItem struct {
	ID           string
	Subject      string
	LastActivity time.Time
	Messages     int
}

func (h *Hub) clientThreads(clientID string) ([]threadItem, error) {
	var out []threadItem
	err := h.db.Raw(`SELECT t.id, t.subject, t.last_activity_at AS last_activity,
			(SELECT COUNT(*) FROM messages m WHERE m.thread_id = t.id) AS messages
		FROM participants p JOIN threads t ON t.id = p.thread_id
		WHERE p.kind = 'client' AND p.person_id = ?
		ORDER BY t.last_activity_at DESC, t.id DESC`, clientID).Scan(&out).Error
	return out, err
}

type threadView struct {
	ID       string
	Subject  string
	People   []string
	Messages []messageView
}

type messageView struct {
	Author      string
	Mine        bool
	At          time.Time
	Body        string
	Attachments []attachmentView
}

type attachmentView struct {
	ID      string
	Name    string
	Size    int64
	Removed bool
	// RemovedNote says who removed it: the practice, or the staff member
	// who sent it.
	RemovedNote string
}

// isClientOf reports whether the client takes part in the thread.
func isClientOf(tx *gorm.DB, threadID, clientID string) (bool, error) {
	var n int64
	err := tx.Model(&store.Participant{}).Where("thread_id = ? AND kind = ? AND person_id = ?", threadID, store.KindClient, clientID).Count(&n).Error
	return n > 0, err
}

func (h *Hub) loadThread(threadID, clientID string) (*threadView, error) {
	ok, err := isClientOf(h.db, threadID, clientID)
	if err != nil || !ok {
		return nil, err
	}
	var th store.Thread
	if err := h.db.Where("id = ?", threadID).First(&th).Error; err != nil {
		return nil, err
	}
	var parts []store.Participant
	if err := h.db.Where("thread_id = ?", threadID).Order("kind DESC, joined_at, id").Find(&parts).Error; err != nil {
		return nil, err
	}
	var msgs []store.Message
	if err := h.db.Where("thread_id = ?", threadID).Order("created_at, id").Find(&msgs).Error; err != nil {
		return nil, err
	}
	var atts []store.Attachment
	if err := h.db.Where("thread_id = ?", threadID).Order("created_at, id").Find(&atts).Error; err != nil {
		return nil, err
	}
	var keys []store.PersonKey
	for _, p := range parts {
		keys = append(keys, store.PersonKey{Kind: p.Kind, ID: p.PersonID})
	}
	for _, m := range msgs {
		keys = append(keys, store.PersonKey{Kind: m.AuthorKind, ID: m.AuthorID})
	}
	names, err := store.Names(h.db, keys)
	if err != nil {
		return nil, err
	}
	v := &threadView{ID: th.ID, Subject: th.Subject}
	for _, p := range parts {
		if p.Kind == store.KindClient && p.PersonID == clientID {
			v.People = append(v.People, "You")
			continue
		}
		v.People = append(v.People, names[store.PersonKey{Kind: p.Kind, ID: p.PersonID}])
	}
	byMsg := map[string][]attachmentView{}
	for _, a := range atts {
		av := attachmentView{ID: a.ID, Name: files.DisplayName(a.Name), Size: a.Size, Removed: a.DeletedAt != nil}
		if av.Removed {
			by := ""
			if a.DeletedByStaffID != nil {
				by = *a.DeletedByStaffID
			}
			av.Name, av.Size, av.RemovedNote = "", 0, attachments.RemovedNote(a.SenderKind, a.SenderID, by)
		}
		byMsg[a.MessageID] = append(byMsg[a.MessageID], av)
	}
	for _, m := range msgs {
		mine := m.AuthorKind == store.KindClient && m.AuthorID == clientID
		author := names[store.PersonKey{Kind: m.AuthorKind, ID: m.AuthorID}]
		if mine {
			author = "You"
		}
		v.Messages = append(v.Messages, messageView{Author: author, Mine: mine, At: m.CreatedAt, Body: m.Body, Attachments: byMsg[m.ID]})
	}
	return v, nil
}

func (h *Hub) portalThread(w http.ResponseWriter, r *http.Request, s portalSession, c store.Client) {
	v, err := h.loadThread(r.PathValue("id"), c.ID)
	if err != nil {
		h.portalError(w, err)
		return
	}
	if v == nil {
		h.render(w, http.StatusNotFound, "error.html", page{Title: "Not found", Client: c.FullName(), CSRF: s.CSRF, Error: "That conversation is not available."})
		return
	}
	set, _ := store.GetSettings(h.db)
	h.render(w, http.StatusOK, "thread.html", page{Title: v.Subject, Client: c.FullName(), CSRF: s.CSRF, Thread: v, Info: r.URL.Query().Get("sent"), MaxBytes: set.MaxFileBytes})
}

func (h *Hub) portalDownload(w http.ResponseWriter, r *http.Request, s portalSession, c store.Client) {
	var as []store.Attachment
	if err := h.db.Where("id = ?", r.PathValue("id")).Limit(1).Find(&as).Error; err != nil {
		h.portalError(w, err)
		return
	}
	ok := false
	if len(as) == 1 && as[0].DeletedAt == nil {
		var err error
		if ok, err = isClientOf(h.db, as[0].ThreadID, c.ID); err != nil {
			h.portalError(w, err)
			return
		}
	}
	if !ok {
		h.render(w, http.StatusNotFound, "error.html", page{Title: "Not available", Client: c.FullName(), CSRF: s.CSRF, Error: "That file is not available. It may have been removed by the practice."})
		return
	}
	a := as[0]
	name, err := files.CleanName(a.Name)
	if err != nil {
		name = "attachment"
	}
	h.serveBlob(w, r, a.BlobSHA256, a.MIME, mime.FormatMediaType("attachment", map[string]string{"filename": name}))
}

// portalReply stores a client's reply and its files, and records them as
// changes the desks pull. The form is read as a stream: files go straight
// to the blob store with the desk's own type and size checks.
func (h *Hub) portalReply(w http.ResponseWriter, r *http.Request, s portalSession, c store.Client) {
	threadID := r.PathValue("id")
	fail := func(status int, msg string) {
		v, _ := h.loadThread(threadID, c.ID)
		if v == nil {
			h.render(w, status, "error.html", page{Title: "Not sent", Client: c.FullName(), CSRF: s.CSRF, Error: msg})
			return
		}
		set, _ := store.GetSettings(h.db)
		h.render(w, status, "thread.html", page{Title: v.Subject, Client: c.FullName(), CSRF: s.CSRF, Thread: v, Error: msg, MaxBytes: set.MaxFileBytes})
	}
	if ok, err := isClientOf(h.db, threadID, c.ID); err != nil || !ok {
		h.render(w, http.StatusNotFound, "error.html", page{Title: "Not found", Client: c.FullName(), CSRF: s.CSRF, Error: "That conversation is not available."})
		return
	}
	if !sameOrigin(r) {
		fail(http.StatusForbidden, "This form expired. Reload the page and try again.")
		return
	}
	set, err := store.GetSettings(h.db)
	if err != nil {
		h.portalError(w, err)
		return
	}
	// Limits before bytes: a reply declared larger than the most it may
	// carry is refused before any of it is read; each file is refused as
	// soon as it passes the limit (Put), and a refused reply keeps none of
	// the files it brought (discard).
	maxReply := int64(portalMaxFiles)*set.MaxFileBytes + 1<<20
	if r.ContentLength > maxReply {
		fail(http.StatusRequestEntityTooLarge, fmt.Sprintf("These files are too large to send. The limit is %s per file.", humanSize(set.MaxFileBytes)))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxReply)
	mr, err := r.MultipartReader()
	if err != nil {
		fail(http.StatusBadRequest, "The reply could not be read. Please try again.")
		return
	}
	csrfOK := false
	var body string
	var blobs []files.Blob
	var names []string
	var putAt []time.Time
	stored := false
	defer func() {
		if !stored {
			h.discard(blobs, putAt)
		}
	}()
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			fail(http.StatusBadRequest, "The reply could not be read completely. Please try again.")
			return
		}
		switch part.FormName() {
		case "csrf":
			b, _ := io.ReadAll(io.LimitReader(part, 128))
			csrfOK = subtle.ConstantTimeCompare(b, []byte(s.CSRF)) == 1
		case "body":
			b, _ := io.ReadAll(io.LimitReader(part, 4*messaging.MaxBody+1))
			body = strings.TrimSpace(strings.ToValidUTF8(string(b), "\uFFFD"))
		case "files":
			if !csrfOK {
				fail(http.StatusForbidden, "This form expired. Reload the page and try again.")
				return
			}
			if part.FileName() == "" {
				continue // the empty file input
			}
			if len(blobs) >= portalMaxFiles {
				fail(http.StatusBadRequest, fmt.Sprintf("A reply can carry at most %d files.", portalMaxFiles))
				return
			}
			name, err := files.CleanName(part.FileName())
			if err != nil {
				fail(http.StatusBadRequest, apperr.As(err).Message)
				return
			}
			b, err := h.blobs.Put(r.Context(), part, name, set.MaxFileBytes, nil)
			if err != nil {
				fail(http.StatusBadRequest, apperr.As(err).Message)
				return
			}
			blobs, names, putAt = append(blobs, b), append(names, name), append(putAt, time.Now())
		}
		part.Close()
	}
	if !csrfOK {
		fail(http.StatusForbidden, "This form expired. Reload the page and try again.")
		return
	}
	if body == "" && len(blobs) == 0 {
		fail(http.StatusBadRequest, "Write a message or add a file before sending.")
		return
	}
	if utf8.RuneCountInString(body) > messaging.MaxBody {
		fail(http.StatusBadRequest, "The message is too long.")
		return
	}
	if err := h.storeReply(threadID, c.ID, body, blobs, names); err != nil {
		h.portalError(w, err)
		return
	}
	stored = true
	http.Redirect(w, r, "/portal/threads/"+url.PathEscape(threadID)+"?sent=Your+reply+was+sent.", http.StatusSeeOther)
}

// discard removes the bytes of files a refused reply brought, unless a row
// names them or they were stored again after putAt[i] (by another reply of
// the same content, say).
func (h *Hub) discard(blobs []files.Blob, putAt []time.Time) {
	for i, b := range blobs {
		h.blobs.RemoveIf(b.SHA256, func(mod time.Time) bool {
			if mod.After(putAt[i]) {
				return false
			}
			var n int64
			err := h.db.Model(&store.Blob{}).Where("sha256 = ?", b.SHA256).Count(&n).Error
			return err == nil && n == 0
		})
	}
}

// storeReply writes the client's message, its attachments and the thread's
// new activity time, each with its change-log entry, in one transaction.
func (h *Hub) storeReply(threadID, clientID, body string, blobs []files.Blob, names []string) error {
	return h.db.Transaction(func(tx *gorm.DB) error {
		if err := lockLog(tx); err != nil {
			return err
		}
		now := h.clock.Now().UTC().Truncate(time.Microsecond)
		record := func(entity, id, op string, row any) error {
			hlc, err := h.nextHLC(tx)
			if err != nil {
				return err
			}
			b, err := json.Marshal(row)
			if err != nil {
				return err
			}
			c := sync.WireChange{ID: clock.NewID(), HLC: hlc, Origin: "portal", Entity: entity, EntityID: id, Op: op, Payload: string(b)}
			if e, ok := sync.EntityByName(entity); ok && e.Kind == sync.LastWriterWins {
				if err := saveVersion(tx, entity, id, "*", sync.Version(hlc, c.Origin)); err != nil {
					return err
				}
			}
			return h.appendLog(tx, c, hlc, c.Payload)
		}
		for _, b := range blobs {
			var n int64
			if err := tx.Model(&store.Blob{}).Where("sha256 = ?", b.SHA256).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				continue
			}
			row := store.Blob{SHA256: b.SHA256, Size: b.Size, MIME: b.MIME, CreatedAt: now}
			if err := tx.Create(&row).Error; err != nil {
				return err
			}
			if err := record("blob", row.SHA256, sync.OpInsert, row); err != nil {
				return err
			}
		}
		m := store.Message{ID: clock.NewID(), ThreadID: threadID, AuthorKind: store.KindClient, AuthorID: clientID, Body: body, CreatedAt: now}
		if err := tx.Create(&m).Error; err != nil {
			return err
		}
		if err := record("message", m.ID, sync.OpInsert, m); err != nil {
			return err
		}
		for i, b := range blobs {
			a := store.Attachment{ID: clock.NewID(), MessageID: m.ID, ThreadID: threadID, BlobSHA256: b.SHA256, Name: names[i], MIME: b.MIME,
				Size: b.Size, SenderKind: store.KindClient, SenderID: clientID, CreatedAt: now}
			if err := tx.Create(&a).Error; err != nil {
				return err
			}
			if err := record("attachment", a.ID, sync.OpInsert, a); err != nil {
				return err
			}
		}
		var th store.Thread
		if err := tx.Where("id = ?", threadID).First(&th).Error; err != nil {
			return err
		}
		th.LastActivityAt = now
		if err := tx.Save(&th).Error; err != nil {
			return err
		}
		return record("thread", th.ID, sync.OpUpdate, th)
	})
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
