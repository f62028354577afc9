// Package hub is the practice hub: the server desks sync with and clients
// reach through the portal. It owns the hub's database (SQLite by default,
// PostgreSQL for a practice with many desks), its change log with cursors,
// desk enrollment and tokens, its blob store (backend/files) and the re-check
// of privileged changes (backend/access) before they reach other desks.
//
// It keeps no state outside its database and blob directory, so several hubs
// can serve one practice from one PostgreSQL behind a load balancer. It must
// never trust a desk's word on who may do what: the hub's own rows decide.
package hub

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"clinicdesk/backend/clock"
	"clinicdesk/backend/files"
	"clinicdesk/backend/sync"
	"clinicdesk/backend/version"
)

// Config says where the hub keeps its data.
type Config struct {
	// DB is a SQLite file path or a postgres:// DSN.
	DB string
	// BlobDir is the blob store's directory (shared storage when several
	// hubs serve one practice).
	BlobDir string
	// Logger defaults to the standard logger; portal sign-in codes are
	// printed to it when SendCode is nil.
	Logger *log.Logger
	// SendCode delivers a portal sign-in code by mail; nil logs it.
	SendCode func(email, code string) error
	// SecureCookies marks portal cookies Secure (set when served over TLS or
	// behind a TLS proxy).
	SecureCookies bool
	Clock         clock.Clock
	// MaxAhead is how far ahead of the hub's clock a pushed change may be
	// stamped (default sync.DefaultMaxAhead, 5 minutes).
	MaxAhead time.Duration
	// MaxPushBytes and MaxPushChanges bound one push (defaults
	// sync.MaxPushBytes, sync.MaxPushChanges).
	MaxPushBytes   int64
	MaxPushChanges int
	// Throttle bounds guesses at enrollment and portal sign-in codes.
	Throttle ThrottleConfig
}

// Hub serves the sync API and the client portal.
type Hub struct {
	db    *gorm.DB
	blobs *files.Store
	cfg   Config
	log   *log.Logger
	clock clock.Clock
	guard *guards
}

// Open opens (creating if needed) the hub's database and blob store.
func Open(cfg Config) (*Hub, error) {
	if cfg.Logger == nil {
		cfg.Logger = log.New(os.Stderr, "hub: ", log.LstdFlags)
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.System{}
	}
	if cfg.DB == "" || cfg.BlobDir == "" {
		return nil, errors.New("the hub needs a database (--db) and a blob directory (--blobs)")
	}
	db, err := openDB(cfg.DB)
	if err != nil {
		return nil, err
	}
	// Another hub process (or a running hub while this one is the
	// enroll-code command) may be receiving uploads into the same store:
	// only a day-old leftover upload is removed.
	blobs, err := files.OpenShared(cfg.BlobDir, 24*time.Hour)
	if err != nil {
		closeDB(db)
		return nil, err
	}
	h := &Hub{db: db, blobs: blobs, cfg: cfg, log: cfg.Logger, clock: cfg.Clock, guard: newGuards(cfg.Throttle, cfg.Clock)}
	if err := h.ensureMeta(); err != nil {
		closeDB(db)
		return nil, err
	}
	return h, nil
}

func closeDB(db *gorm.DB) {
	if sqlDB, err := db.DB(); err == nil {
		sqlDB.Close()
	}
}

// Close closes the database.
func (h *Hub) Close() error {
	sqlDB, err := h.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// DB is the hub's database (tests compare it with the desks').
func (h *Hub) DB() *gorm.DB { return h.db }

// Blobs is the hub's blob store.
func (h *Hub) Blobs() *files.Store { return h.blobs }

// ensureMeta creates the hub's id and secret once; every hub sharing the
// database reads the same ones.
func (h *Hub) ensureMeta() error {
	return h.db.Transaction(func(tx *gorm.DB) error {
		if err := lockLog(tx); err != nil {
			return err
		}
		for _, k := range []string{"hub_id", "secret"} {
			v, err := getMeta(tx, k)
			if err != nil {
				return err
			}
			if v == "" {
				v = clock.NewID()
				if k == "secret" {
					v = randomToken()
				}
				if err := setMeta(tx, k, v); err != nil {
					return err
				}
			}
		}
		p, err := getMeta(tx, "practice")
		if err != nil {
			return err
		}
		if p == "" {
			return setMeta(tx, "practice", sync.PracticeEmpty)
		}
		return nil
	})
}

// Practice returns the hub's practice state (empty, seeding, ready).
func (h *Hub) Practice() (string, error) { return getMeta(h.db, "practice") }

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func hashToken(t string) string {
	s := sha256.Sum256([]byte(t))
	return hex.EncodeToString(s[:])
}

func (h *Hub) secretHash(s string) (string, error) {
	secret, err := getMeta(h.db, "secret")
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(secret + "\x1f" + s))
	return hex.EncodeToString(sum[:]), nil
}

// codeAlphabet avoids letters and digits people confuse (0/O, 1/I).
const codeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

func normalizeCode(c string) string {
	c = strings.ToUpper(strings.TrimSpace(c))
	return strings.NewReplacer("-", "", " ", "").Replace(c)
}

// NewEnrollCode creates a one-time desk enrollment code valid for 24 hours.
func (h *Hub) NewEnrollCode(createdBy string) (string, time.Time, error) {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		return "", time.Time{}, err
	}
	raw := make([]byte, 10)
	for i, x := range b {
		raw[i] = codeAlphabet[int(x)%len(codeAlphabet)]
	}
	code := string(raw[:5]) + "-" + string(raw[5:])
	hash, err := h.secretHash(normalizeCode(code))
	if err != nil {
		return "", time.Time{}, err
	}
	now := h.clock.Now()
	exp := now.Add(24 * time.Hour)
	err = h.db.Create(&enrollCode{CodeHash: hash, CreatedBy: createdBy, CreatedAt: now, ExpiresAt: exp}).Error
	return code, exp, err
}

// Handler serves the sync API under /api/v1/ and the portal everywhere else.
func (h *Hub) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/enroll", h.handleEnroll)
	mux.HandleFunc("POST /api/v1/push", h.desk(h.handlePush))
	mux.HandleFunc("GET /api/v1/pull", h.desk(h.handlePull))
	mux.HandleFunc("POST /api/v1/blobs/missing", h.desk(h.handleMissing))
	mux.HandleFunc("PUT /api/v1/blobs/{sha}", h.desk(h.handlePutBlob))
	mux.HandleFunc("GET /api/v1/blobs/{sha}", h.desk(h.handleGetBlob))
	mux.HandleFunc("POST /api/v1/snapshot/done", h.desk(h.handleSnapshotDone))
	mux.HandleFunc("POST /api/v1/enroll-codes", h.desk(h.handleEnrollCode))
	mux.HandleFunc("POST /api/v1/leave", h.desk(h.handleLeave))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if err := h.db.Exec("SELECT 1").Error; err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "database unavailable", "version": version.Version})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": version.Version})
	})
	h.portalRoutes(mux)
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, sync.ErrorBody{Error: msg})
}

func (h *Hub) internal(w http.ResponseWriter, err error) {
	h.log.Printf("internal error: %v", err)
	writeErr(w, http.StatusServiceUnavailable, "The hub could not complete this request; it will be retried.")
}

type deskHandler func(w http.ResponseWriter, r *http.Request, d deskRow)

// desk authenticates a desk by its bearer token (only its hash is stored).
func (h *Hub) desk(next deskHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || len(tok) < 32 {
			writeErr(w, http.StatusUnauthorized, "This desk has not joined the hub.")
			return
		}
		var ds []deskRow
		if err := h.db.Where("token_hash = ? AND revoked_at IS NULL", hashToken(tok)).Limit(1).Find(&ds).Error; err != nil {
			h.internal(w, err)
			return
		}
		if len(ds) == 0 {
			writeErr(w, http.StatusUnauthorized, "The hub does not know this desk's token (it was revoked or the desk left).")
			return
		}
		next(w, r, ds[0])
	}
}

func (h *Hub) handleEnroll(w http.ResponseWriter, r *http.Request) {
	var req sync.EnrollRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&req); err != nil {
		writeErr(w, http.StatusBadRequest, "The enrollment request could not be read.")
		return
	}
	if req.Protocol != sync.ProtocolVersion {
		writeErr(w, http.StatusConflict, "This desk and the hub run different ClinicDesk versions; update them to the same version.")
		return
	}
	// Both buckets are charged, so a flood from one address does not also
	// use up the hub-wide allowance more than it must.
	if !h.guard.enrollAddr.allow(sourceOf(r)) || !h.guard.enrollAll.allow("enroll") {
		h.log.Printf("enrollment attempt from %s throttled", sourceOf(r))
		tooMany(w)
		return
	}
	// The hub names the desk: a desk never chooses its id, so enrolling can
	// never take over (or lock out) another desk's.
	deskID := clock.NewID()
	hash, err := h.secretHash(normalizeCode(req.Code))
	if err != nil {
		h.internal(w, err)
		return
	}
	var resp sync.EnrollResponse
	status, msg := 0, ""
	err = h.db.Transaction(func(tx *gorm.DB) error {
		if err := lockLog(tx); err != nil {
			return err
		}
		var codes []enrollCode
		if err := tx.Where("code_hash = ?", hash).Limit(1).Find(&codes).Error; err != nil {
			return err
		}
		now := h.clock.Now()
		if len(codes) == 0 || codes[0].UsedAt != nil || now.After(codes[0].ExpiresAt) {
			status, msg = http.StatusForbidden, "That enrollment code is not valid (it may have been used or have expired). Ask an owner for a new one."
			return nil
		}
		practice, err := getMeta(tx, "practice")
		if err != nil {
			return err
		}
		switch practice {
		case sync.PracticeEmpty:
			if req.Empty {
				status, msg = http.StatusConflict, "This hub has no practice yet. Join it first from the desk that holds your practice: that desk's data becomes the hub's starting state."
				return nil
			}
			resp.Seed = true
			if err := setMeta(tx, "practice", sync.PracticeSeeding); err != nil {
				return err
			}
			if err := setMeta(tx, "seeder", deskID); err != nil {
				return err
			}
			practice = sync.PracticeSeeding
		case sync.PracticeSeeding:
			status, msg = http.StatusConflict, "Another desk is still uploading the practice to this hub. Try again in a few minutes."
			return nil
		default:
			if !req.Empty {
				status, msg = http.StatusConflict, "This hub already holds a practice, and this desk has data of its own. A desk joining an existing practice must start empty: start ClinicDesk with --no-demo on a new data folder, then join."
				return nil
			}
		}
		if err := tx.Model(&enrollCode{}).Where("code_hash = ?", hash).Updates(map[string]any{"used_at": now, "used_by": deskID}).Error; err != nil {
			return err
		}
		token := randomToken()
		name := strings.TrimSpace(req.DeskName)
		if len(name) > 100 {
			name = name[:100]
		}
		d := deskRow{ID: deskID, Name: name, TokenHash: hashToken(token), EnrolledAt: now}
		if err := tx.Create(&d).Error; err != nil {
			return err
		}
		hubID, err := getMeta(tx, "hub_id")
		if err != nil {
			return err
		}
		resp.DeskID, resp.Token, resp.HubID, resp.Practice = deskID, token, hubID, practice
		return nil
	})
	if err != nil {
		h.internal(w, err)
		return
	}
	if status != 0 {
		writeErr(w, status, msg)
		return
	}
	h.log.Printf("desk %s (%s) joined; seed=%v", deskID, req.DeskName, resp.Seed)
	writeJSON(w, http.StatusOK, resp)
}

func (h *Hub) handleSnapshotDone(w http.ResponseWriter, r *http.Request, d deskRow) {
	err := h.db.Transaction(func(tx *gorm.DB) error {
		if err := lockLog(tx); err != nil {
			return err
		}
		p, err := getMeta(tx, "practice")
		if err != nil {
			return err
		}
		seeder, err := getMeta(tx, "seeder")
		if err != nil || p != sync.PracticeSeeding || seeder != d.ID {
			return err
		}
		return setMeta(tx, "practice", sync.PracticeReady)
	})
	if err != nil {
		h.internal(w, err)
		return
	}
	writeJSON(w, http.StatusOK, struct{}{})
}

func (h *Hub) handleLeave(w http.ResponseWriter, r *http.Request, d deskRow) {
	if err := h.db.Model(&deskRow{}).Where("id = ?", d.ID).Update("revoked_at", h.clock.Now()).Error; err != nil {
		h.internal(w, err)
		return
	}
	writeJSON(w, http.StatusOK, struct{}{})
}

func (h *Hub) handleEnrollCode(w http.ResponseWriter, r *http.Request, d deskRow) {
	var req sync.EnrollCodeRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil {
		writeErr(w, http.StatusBadRequest, "The request could not be read.")
		return
	}
	owner, refusal, err := h.enrollCodeOwner(d, req)
	if err != nil {
		h.internal(w, err)
		return
	}
	if refusal != "" {
		writeErr(w, http.StatusForbidden, refusal)
		return
	}
	code, exp, err := h.NewEnrollCode(owner.ID)
	if err != nil {
		h.internal(w, err)
		return
	}
	writeJSON(w, http.StatusOK, sync.EnrollCodeResponse{Code: code, ExpiresAt: clock.RFC3339(exp)})
}

func (h *Hub) handlePull(w http.ResponseWriter, r *http.Request, d deskRow) {
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit <= 0 || limit > 2000 {
		limit = 500
	}
	practice, err := getMeta(h.db, "practice")
	if err != nil {
		h.internal(w, err)
		return
	}
	resp := sync.PullResponse{Practice: practice, Changes: []sync.WireChange{}}
	var rows []logEntry
	if err := h.db.Where("cursor > ?", after).Order("cursor").Limit(limit + 1).Find(&rows).Error; err != nil {
		h.internal(w, err)
		return
	}
	if len(rows) > limit {
		rows, resp.More = rows[:limit], true
	}
	for _, e := range rows {
		resp.Changes = append(resp.Changes, sync.WireChange{Cursor: e.Cursor, ID: e.ID, HLC: e.HLC, Origin: e.Origin,
			Entity: e.Entity, EntityID: e.EntityID, Op: e.Op, Payload: e.Payload})
	}
	now := h.clock.Now()
	h.db.Model(&deskRow{}).Where("id = ?", d.ID).Update("last_seen_at", now)
	writeJSON(w, http.StatusOK, resp)
}

func (h *Hub) handleMissing(w http.ResponseWriter, r *http.Request, d deskRow) {
	var req sync.BlobList
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<20)).Decode(&req); err != nil {
		writeErr(w, http.StatusBadRequest, "The request could not be read.")
		return
	}
	out := sync.BlobList{SHA256: []string{}}
	for _, sha := range req.SHA256 {
		if files.ValidSHA256(sha) && !h.blobs.Has(sha) {
			out.SHA256 = append(out.SHA256, sha)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// maxBlobBytes bounds one uploaded blob (the desks' own limit is at most 500 MB).
const maxBlobBytes = 512 << 20

func (h *Hub) handlePutBlob(w http.ResponseWriter, r *http.Request, d deskRow) {
	sha := r.PathValue("sha")
	if !files.ValidSHA256(sha) {
		writeErr(w, http.StatusBadRequest, "That is not a file's SHA-256.")
		return
	}
	if h.blobs.Has(sha) {
		writeJSON(w, http.StatusOK, struct{}{})
		return
	}
	err := sync.PutVerified(r.Context(), h.blobs, http.MaxBytesReader(w, r.Body, maxBlobBytes), sha)
	if err != nil {
		h.log.Printf("blob %s from desk %s refused: %v", sha, d.ID, err)
		writeErr(w, http.StatusUnprocessableEntity, "The file did not arrive intact or was refused: "+err.Error())
		return
	}
	writeJSON(w, http.StatusCreated, struct{}{})
}

func (h *Hub) handleGetBlob(w http.ResponseWriter, r *http.Request, d deskRow) {
	sha := r.PathValue("sha")
	if !files.ValidSHA256(sha) {
		writeErr(w, http.StatusBadRequest, "That is not a file's SHA-256.")
		return
	}
	h.serveBlob(w, r, sha, "application/octet-stream", "")
}

// serveBlob streams a verified blob. A blob found damaged mid-way aborts the
// response, so the receiver never takes it for whole.
func (h *Hub) serveBlob(w http.ResponseWriter, r *http.Request, sha, mime, disposition string) {
	fi, err := os.Stat(h.blobs.Path(sha))
	if err != nil {
		writeErr(w, http.StatusNotFound, "The hub does not have that file.")
		return
	}
	rc, err := h.blobs.Open(sha)
	if err != nil {
		writeErr(w, http.StatusNotFound, "The hub does not have that file.")
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", mime)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Length", strconv.FormatInt(fi.Size(), 10))
	if disposition != "" {
		w.Header().Set("Content-Disposition", disposition)
	}
	buf := make([]byte, 256<<10)
	for {
		n, rerr := rc.Read(buf)
		if n > 0 {
			if _, err := w.Write(buf[:n]); err != nil {
				return
			}
		}
		if rerr != nil {
			if !errors.Is(rerr, io.EOF) {
				h.log.Printf("blob %s: %v", sha, rerr)
				panic(http.ErrAbortHandler)
			}
			return
		}
	}
}
