package models_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/dsrcase/dsr/dbtest"
	"github.com/dsrcase/dsr/models"
)

// eachEmpty runs f on an empty (unmigrated) SQLite database and, when
// configured, an empty PostgreSQL schema.
func eachEmpty(t *testing.T, f func(t *testing.T, db *gorm.DB)) {
	open := func(t *testing.T, url string) *gorm.DB {
		db, err := models.Open(url)
		require.NoError(t, err)
		t.Cleanup(func() {
			if sqlDB, err := db.DB(); err == nil {
				sqlDB.Close()
			}
		})
		return db
	}
	t.Run("sqlite", func(t *testing.T) { f(t, open(t, dbtest.SQLiteURL(t))) })
	t.Run("postgres", func(t *testing.T) { f(t, open(t, dbtest.PostgresURL(t))) })
}

func TestPendingMigrations(t *testing.T) {
	all, err := models.Migrations()
	require.NoError(t, err)
	require.NotEmpty(t, all)
	var versions []int
	for _, m := range all {
		versions = append(versions, m.Version)
	}
	require.Equal(t, 1, versions[0])
	require.Equal(t, "foundation", all[0].Name)

	t.Run("empty", func(t *testing.T) {
		eachEmpty(t, func(t *testing.T, db *gorm.DB) {
			pending, err := models.Pending(ctx, db)
			require.NoError(t, err)
			require.Equal(t, versions, pending, "a database with no schema has every migration pending")

			applied, err := models.Migrate(ctx, db)
			require.NoError(t, err)
			require.Equal(t, versions, applied)

			pending, err = models.Pending(ctx, db)
			require.NoError(t, err)
			require.Empty(t, pending)
		})
	})
	t.Run("migrated", func(t *testing.T) {
		dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
			pending, err := models.Pending(ctx, db)
			require.NoError(t, err)
			require.Empty(t, pending)
		})
	})
}
