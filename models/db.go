// Package models holds the database: gorm models, their queries and the
// versioned schema migrations. It is what people see and search; the case
// workflows decide, and write here through activities.
package models

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/google/uuid"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Open connects to the database named by a DSR_DATABASE_URL value:
// sqlite://PATH (embedded, pure Go) or postgres://... (production).
func Open(databaseURL string) (*gorm.DB, error) {
	cfg := &gorm.Config{Logger: logger.Discard, NowFunc: Now}
	switch {
	case strings.HasPrefix(databaseURL, "sqlite://"):
		path := strings.TrimPrefix(databaseURL, "sqlite://")
		if path == "" {
			return nil, fmt.Errorf("database URL %q names no file", databaseURL)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("create database folder: %w", err)
		}
		// WAL lets pages read while the worker writes; one connection
		// serialises writers, which SQLite needs anyway, without SQLITE_BUSY.
		dsn := path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
		// The embedded database's one connection reuses its prepared
		// statements: the same few queries run for every case. (Not on
		// PostgreSQL, where a pooler in transaction mode would break them.)
		cfg.PrepareStmt = true
		db, err := gorm.Open(sqlite.Open(dsn), cfg)
		if err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
		sqlDB, err := db.DB()
		if err != nil {
			return nil, err
		}
		sqlDB.SetMaxOpenConns(1)
		return db, nil
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		if _, err := url.Parse(databaseURL); err != nil {
			return nil, fmt.Errorf("database URL: %w", err)
		}
		db, err := gorm.Open(postgres.Open(databaseURL), cfg)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		sqlDB, err := db.DB()
		if err != nil {
			return nil, err
		}
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(20)
		return db, nil
	default:
		return nil, fmt.Errorf("DSR_DATABASE_URL: %q must start with sqlite:// or postgres://", databaseURL)
	}
}

// find loads the one row of T that matches query, or ErrNotFound.
func find[T any](ctx context.Context, db *gorm.DB, query string, args ...any) (*T, error) {
	var row T
	err := db.WithContext(ctx).Where(query, args...).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load %T: %w", row, err)
	}
	return &row, nil
}

// IsPostgres reports whether db talks to PostgreSQL.
func IsPostgres(db *gorm.DB) bool { return db.Dialector.Name() == "postgres" }

// Ping checks that the database answers, for /readyz.
func Ping(ctx context.Context, db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// Now is the database's clock: UTC at microsecond precision, which both
// PostgreSQL and SQLite store exactly, so values read back compare equal.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// NewID makes a time-ordered opaque ID.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// NewSecret makes a random 256-bit secret for links, sessions and tokens,
// and the hash that is stored in its place.
func NewSecret() (secret, hash string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err)) // never fails on supported platforms
	}
	secret = base64.RawURLEncoding.EncodeToString(b)
	return secret, HashSecret(secret)
}

// HashSecret is how secrets are stored: a SHA-256 is enough because the
// secrets carry 256 bits of randomness (no dictionary to attack).
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
