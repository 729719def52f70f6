package models_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/dsrcase/dsr/dbtest"
	"github.com/dsrcase/dsr/models"
)

func TestSeedCasesFillsCasesAndTheClosureRollup(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		now := time.Now().UTC()
		require.NoError(t, models.SeedCases(ctx, db, 2500, 7, now))
		var total, closed, counted int64
		require.NoError(t, db.Model(&models.Case{}).Count(&total).Error)
		require.NoError(t, db.Model(&models.Case{}).Where("closed_at IS NOT NULL").Count(&closed).Error)
		require.NoError(t, db.Table("closure_stats").Select("COALESCE(SUM(n), 0)").Scan(&counted).Error)
		require.EqualValues(t, 2500, total)
		require.Greater(t, closed, int64(2000), "about nineteen in twenty are closed")
		require.Equal(t, closed, counted, "every closed case is in the rollup")
		d, err := models.LoadDashboard(ctx, db, now)
		require.NoError(t, err)
		require.Equal(t, total-closed, d.Open)
	})
}
