package models_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/dsrcase/dsr/dbtest"
	"github.com/dsrcase/dsr/models"
)

func TestMigrateIsIdempotent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		applied, err := models.Migrate(context.Background(), db)
		require.NoError(t, err)
		require.Empty(t, applied, "a second run applies nothing")
	})
}
