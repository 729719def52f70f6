package models

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
	"gorm.io/gorm"
)

// User is a staff member who signs in to the workspace.
type User struct {
	ID           string
	Email        string
	Role         Role
	PasswordHash string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// APIToken lets a script act as a user.
type APIToken struct {
	ID         string
	UserID     string
	TokenHash  string
	CreatedAt  time.Time
	LastUsedAt *time.Time
}

// Session is a signed-in browser. Only the cookie's hash is stored.
type Session struct {
	TokenHash string `gorm:"primaryKey"`
	UserID    string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// ErrBadCredentials hides whether the email or the password was wrong.
var ErrBadCredentials = errors.New("email or password is wrong")

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 12

// argon2id parameters (RFC 9106's second recommended option, lighter memory).
const (
	argonTime    = 3
	argonMemory  = 64 * 1024
	argonThreads = 2
	argonKeyLen  = 32
)

// HashPassword hashes a password with argon2id and a random salt.
func HashPassword(password string) (string, error) {
	if utf8.RuneCountInString(password) < MinPasswordLength {
		return "", fmt.Errorf("password must be at least %d characters", MinPasswordLength)
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches an argon2id hash.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	// A damaged hash must fail the check, not panic or exhaust memory in
	// argon2 (which panics on zero rounds or threads).
	if err1 != nil || err2 != nil || len(want) < 16 || len(want) > 64 ||
		t < 1 || t > 10 || p < 1 || m < 8*uint32(p) || m > 1<<20 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// CreateUser adds a staff user.
func CreateUser(ctx context.Context, db *gorm.DB, email string, role Role, password string) (*User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if !role.Valid() {
		return nil, fmt.Errorf("role %q is not one of handler, manager, admin", role)
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	u := &User{ID: NewID(), Email: email, Role: role, PasswordHash: hash, CreatedAt: Now(), UpdatedAt: Now()}
	if err := db.WithContext(ctx).Create(u).Error; err != nil {
		if IsUniqueViolation(err) {
			return nil, fmt.Errorf("a user with email %s already exists", email)
		}
		return nil, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

// UserByEmail finds a user.
func UserByEmail(ctx context.Context, db *gorm.DB, email string) (*User, error) {
	return find[User](ctx, db, "email = ?", strings.ToLower(strings.TrimSpace(email)))
}

// GetUser loads a user by ID.
func GetUser(ctx context.Context, db *gorm.DB, id string) (*User, error) {
	return find[User](ctx, db, "id = ?", id)
}

// UsersWithRole lists the users who have at least role min.
func UsersWithRole(ctx context.Context, db *gorm.DB, min Role) ([]User, error) {
	var all []User
	if err := db.WithContext(ctx).Order("email").Find(&all).Error; err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	out := all[:0]
	for _, u := range all {
		if u.Role.AtLeast(min) {
			out = append(out, u)
		}
	}
	return out, nil
}

// Authenticate checks an email and password. The password is hashed even
// for an unknown email, so response time does not tell which users exist.
func Authenticate(ctx context.Context, db *gorm.DB, email, password string) (*User, error) {
	u, err := UserByEmail(ctx, db, email)
	if errors.Is(err, ErrNotFound) {
		CheckPassword(dummyHash, password)
		return nil, ErrBadCredentials
	}
	if err != nil {
		return nil, err
	}
	if !CheckPassword(u.PasswordHash, password) {
		return nil, ErrBadCredentials
	}
	return u, nil
}

var dummyHash = "$argon2id$v=19$m=65536,t=3,p=2$c2FsdHNhbHRzYWx0c2FsdA$" + base64.RawStdEncoding.EncodeToString(make([]byte, 32))

// CreateSession starts a session for a user and returns the cookie value.
func CreateSession(ctx context.Context, db *gorm.DB, userID string, lifetime time.Duration) (string, error) {
	secret, hash := NewSecret()
	s := Session{TokenHash: hash, UserID: userID, CreatedAt: Now(), ExpiresAt: Now().Add(lifetime)}
	if err := db.WithContext(ctx).Create(&s).Error; err != nil {
		return "", fmt.Errorf("create session: %w", err)
	}
	return secret, nil
}

// SessionUser returns the user of a live session.
func SessionUser(ctx context.Context, db *gorm.DB, secret string) (*User, error) {
	var s Session
	err := db.WithContext(ctx).Where("token_hash = ? AND expires_at > ?", HashSecret(secret), Now()).Take(&s).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return GetUser(ctx, db, s.UserID)
}

// DeleteSession ends a session.
func DeleteSession(ctx context.Context, db *gorm.DB, secret string) error {
	return db.WithContext(ctx).Delete(&Session{}, "token_hash = ?", HashSecret(secret)).Error
}

// CreateAPIToken makes a bearer token for a user and returns it; only its
// hash is stored, so it is shown once.
func CreateAPIToken(ctx context.Context, db *gorm.DB, userID string) (string, error) {
	secret, hash := NewSecret()
	t := APIToken{ID: NewID(), UserID: userID, TokenHash: hash, CreatedAt: Now()}
	if err := db.WithContext(ctx).Create(&t).Error; err != nil {
		return "", fmt.Errorf("create token: %w", err)
	}
	return "dsr_" + secret, nil
}

// TokenUser returns the user a bearer token acts as.
func TokenUser(ctx context.Context, db *gorm.DB, token string) (*User, error) {
	secret, ok := strings.CutPrefix(token, "dsr_")
	if !ok {
		return nil, ErrNotFound
	}
	var t APIToken
	err := db.WithContext(ctx).Where("token_hash = ?", HashSecret(secret)).Take(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return GetUser(ctx, db, t.UserID)
}
