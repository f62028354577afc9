package auth

// Staff signing keys (docs/sync.md, "Who the hub believes"). Each staff
// member has an Ed25519 key pair. The public key travels with their staff
// row and is what the hub checks their changes against. The private key
// travels with the row too, but only sealed: XChaCha20-Poly1305 under a key
// derived from their PIN or password with argon2id (its own salt, not the
// credential's), bound to their staff id and public key. It is opened only
// at sign-in, kept in the Session, and dropped at sign-out, lock and switch.

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

// sealedPrefix names the sealing format and its argon2id parameters (the
// same as the credential hash's: one sign-in costs two derivations).
var sealedPrefix = fmt.Sprintf("ck1$argon2id$m=%d,t=%d,p=%d$", argonMemory, argonTime, argonThreads)

// Sealer seals private keys under one secret with one derivation, so a
// practice whose staff share a PIN (the demo) pays argon2id once.
type Sealer struct {
	salt []byte
	key  []byte
}

// NewSealer derives the sealing key of secret with a fresh salt.
func NewSealer(secret string) (*Sealer, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	return &Sealer{salt: salt, key: argon2.IDKey([]byte(secret), salt, argonTime, argonMemory, argonThreads, chacha20poly1305.KeySize)}, nil
}

func keyAD(staffID string, pub ed25519.PublicKey) []byte {
	return []byte("clinicdesk staff key v1\x1f" + staffID + "\x1f" + base64.StdEncoding.EncodeToString(pub))
}

// NewKey makes a key pair for staffID and returns the public key and the
// sealed private key as stored in the staff row.
func (s *Sealer) NewKey(staffID string) (pub, sealed string, err error) {
	pk, sk, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", "", err
	}
	aead, err := chacha20poly1305.NewX(s.key)
	if err != nil {
		return "", "", err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", "", err
	}
	ct := aead.Seal(nil, nonce, sk.Seed(), keyAD(staffID, pk))
	enc := base64.RawStdEncoding
	return base64.StdEncoding.EncodeToString(pk),
		sealedPrefix + enc.EncodeToString(s.salt) + "$" + enc.EncodeToString(nonce) + "$" + enc.EncodeToString(ct), nil
}

// NewStaffKey makes a key pair for staffID sealed under secret.
func NewStaffKey(staffID, secret string) (pub, sealed string, err error) {
	s, err := NewSealer(secret)
	if err != nil {
		return "", "", err
	}
	return s.NewKey(staffID)
}

// ErrKeyNotOpened is Unseal's answer to a wrong secret or a damaged key.
var ErrKeyNotOpened = errors.New("the signing key could not be opened")

// Unseal opens the sealed private key of staffID with secret and checks it
// is the private half of pub.
func Unseal(staffID, pub, sealed, secret string) (ed25519.PrivateKey, error) {
	rest, ok := strings.CutPrefix(sealed, sealedPrefix)
	if !ok {
		return nil, ErrKeyNotOpened
	}
	parts := strings.Split(rest, "$")
	if len(parts) != 3 {
		return nil, ErrKeyNotOpened
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[0])
	nonce, err2 := enc.DecodeString(parts[1])
	ct, err3 := enc.DecodeString(parts[2])
	pk, err4 := ParsePublicKey(pub)
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil || len(salt) < minSaltLen || len(salt) > maxSaltLen ||
		len(nonce) != chacha20poly1305.NonceSizeX {
		return nil, ErrKeyNotOpened
	}
	key := argon2.IDKey([]byte(secret), salt, argonTime, argonMemory, argonThreads, chacha20poly1305.KeySize)
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	seed, err := aead.Open(nil, nonce, ct, keyAD(staffID, pk))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, ErrKeyNotOpened
	}
	sk := ed25519.NewKeyFromSeed(seed)
	if !sk.Public().(ed25519.PublicKey).Equal(pk) {
		return nil, ErrKeyNotOpened
	}
	return sk, nil
}

// ParsePublicKey decodes a staff row's public key.
func ParsePublicKey(pub string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(pub)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, errors.New("not an Ed25519 public key")
	}
	return ed25519.PublicKey(b), nil
}

// ValidSealedKey reports whether sealed has the sealing format (it cannot
// tell whether it opens: only the PIN can).
func ValidSealedKey(sealed string) bool {
	rest, ok := strings.CutPrefix(sealed, sealedPrefix)
	if !ok {
		return false
	}
	parts := strings.Split(rest, "$")
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if _, err := base64.RawStdEncoding.DecodeString(p); err != nil || p == "" {
			return false
		}
	}
	return true
}

// ValidHash reports whether encoded is a credential hash Verify can check
// (argon2id with parameters inside its bounds); "" is not.
func ValidHash(encoded string) bool {
	_, _, _, ok := parseHash(encoded)
	return ok
}
