package sync

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"clinicdesk/backend/apperr"
	"clinicdesk/backend/files"
)

// hubClient speaks the sync protocol to one hub.
type hubClient struct {
	base  string // https://hub.example:8443 (no trailing slash)
	token string
	http  *http.Client
}

// Offline is the error of a hub that cannot be reached (network down, hub
// stopped, connection cut): the desk keeps working and retries.
type Offline struct{ Err error }

func (o *Offline) Error() string { return "hub unreachable: " + o.Err.Error() }
func (o *Offline) Unwrap() error { return o.Err }

// HubError is a refusal or failure answered by the hub.
type HubError struct {
	Status  int
	Message string
	Code    string
}

func (h *HubError) Error() string { return fmt.Sprintf("hub answered %d: %s", h.Status, h.Message) }

// NormalizeHubURL checks and cleans a hub address typed by a person.
func NormalizeHubURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw != "" && !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return "", apperr.Invalid("hubUrl", "Enter the hub's address, like https://hub.example.org:8443.")
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return "", apperr.Invalid("hubUrl", "The hub's address must start with https://. Over plain http:// this desk's token, every change and every file would cross the network unencrypted, readable and alterable by anyone on the way; http:// is allowed only for a hub on this same computer (localhost).")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawQuery, u.Fragment = "", ""
	return u.String(), nil
}

// isLoopback reports whether host names this computer (localhost, 127.0.0.0/8, ::1).
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (c *hubClient) do(ctx context.Context, method, path string, body io.Reader, size int64, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	if size >= 0 && body != nil {
		req.ContentLength = size
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if body != nil && method != http.MethodPut {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &Offline{err}
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		var eb ErrorBody
		json.Unmarshal(b, &eb)
		if resp.StatusCode == http.StatusConflict && out != nil {
			if mb, ok := out.(*MissingBlobs); ok {
				json.Unmarshal(b, mb)
			}
		}
		if eb.Error == "" {
			eb.Error = strings.TrimSpace(string(b))
		}
		if resp.StatusCode == http.StatusBadGateway || resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusGatewayTimeout {
			return &Offline{&HubError{resp.StatusCode, eb.Error, eb.Code}}
		}
		return &HubError{resp.StatusCode, eb.Error, eb.Code}
	}
	if out == nil {
		_, err := io.Copy(io.Discard, resp.Body)
		return offlineIfNet(err)
	}
	if w, ok := out.(io.Writer); ok {
		_, err := io.Copy(w, resp.Body)
		return offlineIfNet(err)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return &Offline{fmt.Errorf("reading the hub's answer: %w", err)}
	}
	return nil
}

func offlineIfNet(err error) error {
	var ne net.Error
	if err != nil && (errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF)) {
		return &Offline{err}
	}
	return err
}

func (c *hubClient) postJSON(ctx context.Context, path string, in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	return c.do(ctx, http.MethodPost, path, bytes.NewReader(b), int64(len(b)), out)
}

func (c *hubClient) enroll(ctx context.Context, req EnrollRequest) (EnrollResponse, error) {
	var out EnrollResponse
	err := c.postJSON(ctx, "/api/v1/enroll", req, &out)
	return out, err
}

func (c *hubClient) push(ctx context.Context, changes []WireChange) (PushResponse, []string, error) {
	var out PushResponse
	b, err := json.Marshal(PushRequest{Changes: changes})
	if err != nil {
		return out, nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/api/v1/push", bytes.NewReader(b))
	if err != nil {
		return out, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return out, nil, &Offline{err}
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusConflict {
		var mb MissingBlobs
		if json.NewDecoder(resp.Body).Decode(&mb) == nil && len(mb.MissingBlobs) > 0 {
			return out, mb.MissingBlobs, nil
		}
	}
	if resp.StatusCode >= 300 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		var eb ErrorBody
		json.Unmarshal(body, &eb)
		if resp.StatusCode >= 500 {
			return out, nil, &Offline{&HubError{resp.StatusCode, eb.Error, eb.Code}}
		}
		return out, nil, &HubError{resp.StatusCode, eb.Error, eb.Code}
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return out, nil, &Offline{fmt.Errorf("reading the hub's answer: %w", err)}
	}
	return out, nil, nil
}

func (c *hubClient) pull(ctx context.Context, after int64, limit int) (PullResponse, error) {
	var out PullResponse
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	err := c.do(ctx, http.MethodGet, "/api/v1/pull?after="+strconv.FormatInt(after, 10)+"&limit="+strconv.Itoa(limit), nil, -1, &out)
	return out, err
}

func (c *hubClient) missingBlobs(ctx context.Context, shas []string) ([]string, error) {
	var out BlobList
	err := c.postJSON(ctx, "/api/v1/blobs/missing", BlobList{SHA256: shas}, &out)
	return out.SHA256, err
}

// uploadBlob sends the verified bytes of a local blob.
func (c *hubClient) uploadBlob(ctx context.Context, store *files.Store, sha string) error {
	fi, err := os.Stat(store.Path(sha))
	if err != nil {
		return fmt.Errorf("file %s is missing on this desk: %w", sha, err)
	}
	rc, err := store.Open(sha)
	if err != nil {
		return err
	}
	defer rc.Close()
	return c.do(ctx, http.MethodPut, "/api/v1/blobs/"+sha, rc, fi.Size(), nil)
}

// downloadBlob fetches a blob and stores it only when its SHA-256 matches.
func (c *hubClient) downloadBlob(ctx context.Context, store *files.Store, sha string) error {
	if !files.ValidSHA256(sha) {
		return fmt.Errorf("bad blob name %q", sha)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/api/v1/blobs/"+sha, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return &Offline{err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		if resp.StatusCode >= 500 {
			return &Offline{&HubError{resp.StatusCode, string(b), ""}}
		}
		return &HubError{resp.StatusCode, strings.TrimSpace(string(b)), ""}
	}
	return PutVerified(ctx, store, resp.Body, sha)
}

// PutVerified stores r in store and succeeds only when its content hashes
// to sha; content that does not match is not kept.
func PutVerified(ctx context.Context, store *files.Store, r io.Reader, sha string) error {
	_, err := store.PutExpected(ctx, r, sha, 0)
	if err != nil {
		var ae *apperr.Error
		if errors.As(err, &ae) && ae.Code == apperr.FileUnreadable {
			return &Offline{err}
		}
		return err
	}
	return nil
}
