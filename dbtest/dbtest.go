// Package dbtest gives tests a fresh, migrated database: SQLite always, and
// PostgreSQL when DSR_TEST_DATABASE_URL names a server (CI sets it), each
// test in a schema of its own that is dropped afterwards.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"gorm.io/gorm"

	"github.com/dsrcase/dsr/models"
)

// EnvPostgres names the PostgreSQL server tests may use.
const EnvPostgres = "DSR_TEST_DATABASE_URL"

// SQLite returns a migrated SQLite database in a temporary file.
func SQLite(t testing.TB) *gorm.DB {
	t.Helper()
	return open(t, "sqlite://"+filepath.Join(t.TempDir(), "dsr.db"))
}

// SQLiteURL returns the URL of a fresh SQLite file, for code that opens its
// own connection.
func SQLiteURL(t testing.TB) string {
	return "sqlite://" + filepath.Join(t.TempDir(), "dsr.db")
}

// Postgres returns a migrated database in a fresh schema, or skips the test
// when DSR_TEST_DATABASE_URL is not set.
func Postgres(t testing.TB) *gorm.DB {
	t.Helper()
	return open(t, PostgresURL(t))
}

// PostgresURL creates a fresh schema and returns a URL whose connections
// use it, or skips the test when DSR_TEST_DATABASE_URL is not set.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		t.Skipf("%s is not set: PostgreSQL tests skipped", EnvPostgres)
	}
	admin, err := models.Open(base)
	if err != nil {
		t.Fatalf("open %s: %v", EnvPostgres, err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "dsr_test_" + hex.EncodeToString(b)
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		if sqlDB, err := admin.DB(); err == nil {
			sqlDB.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func open(t testing.TB, databaseURL string) *gorm.DB {
	t.Helper()
	db, err := models.Open(databaseURL)
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	if _, err := models.Migrate(context.Background(), db); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}

// Each runs f against SQLite and, when configured, PostgreSQL, as subtests
// named "sqlite" and "postgres".
func Each(t *testing.T, f func(t *testing.T, db *gorm.DB)) {
	t.Run("sqlite", func(t *testing.T) { f(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { f(t, Postgres(t)) })
}
