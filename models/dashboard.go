package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Count is one group of a breakdown.
type Count struct {
	Key   string `gorm:"column:grp"`
	Count int64  `gorm:"column:n"`
}

// Dashboard is what managers watch: where open cases stand and how well
// deadlines were kept.
type Dashboard struct {
	Open        int64
	ByStatus    []Count
	DueIn7Days  int64
	Overdue     int64
	Paused      int64
	ByType      []Count
	ByRegime    []Count
	ByAssignee  []Count // user email, or "" for unassigned
	Performance []Performance
}

// Performance is how cases closed within a window were handled.
type Performance struct {
	Days              int
	Closed            int64
	OnTime            int64
	MedianDaysToClose float64
}

// OnTimeRate is the share of closed cases answered by their due date.
func (p Performance) OnTimeRate() float64 {
	if p.Closed == 0 {
		return 0
	}
	return float64(p.OnTime) / float64(p.Closed)
}

// LoadDashboard computes the dashboard at instant now.
func LoadDashboard(ctx context.Context, db *gorm.DB, now time.Time) (*Dashboard, error) {
	db = db.WithContext(ctx)
	open := func() *gorm.DB { return db.Model(&Case{}).Where("closed_at IS NULL") }
	d := &Dashboard{}
	steps := []struct {
		what string
		run  func() error
	}{
		{"open", func() error { return open().Count(&d.Open).Error }},
		{"by status", func() error { return groupCount(open(), "status", &d.ByStatus) }},
		{"due soon", func() error {
			return open().Where("due_at >= ? AND due_at < ?", now, now.Add(7*24*time.Hour)).Count(&d.DueIn7Days).Error
		}},
		{"overdue", func() error { return open().Where("due_at < ?", now).Count(&d.Overdue).Error }},
		{"paused", func() error { return open().Where("paused = ?", true).Count(&d.Paused).Error }},
		{"by type", func() error { return groupCount(open(), "type", &d.ByType) }},
		{"by regime", func() error { return groupCount(open(), "regime", &d.ByRegime) }},
		{"by assignee", func() error {
			return groupCount(open().Joins("LEFT JOIN users ON users.id = cases.assignee_id"),
				"COALESCE(users.email, '')", &d.ByAssignee)
		}},
	}
	for _, s := range steps {
		if err := s.run(); err != nil {
			return nil, fmt.Errorf("dashboard %s: %w", s.what, err)
		}
	}
	for _, days := range []int{30, 90, 365} {
		p, err := performance(db, now, days)
		if err != nil {
			return nil, fmt.Errorf("dashboard performance over %d days: %w", days, err)
		}
		d.Performance = append(d.Performance, p)
	}
	return d, nil
}

func groupCount(q *gorm.DB, expr string, out *[]Count) error {
	return q.Select(expr + " AS grp, COUNT(*) AS n").Group(expr).Order("n DESC, grp").Scan(out).Error
}

// performance reads a window from closure_stats: a few hundred rows of
// (whole days to close, on time, count), whatever the number of cases. The
// median is taken here over those counts, in whole days.
func performance(db *gorm.DB, now time.Time, days int) (Performance, error) {
	p := Performance{Days: days}
	var rows []struct {
		DaysToClose int
		OnTime      bool
		N           int64
	}
	err := db.Table("closure_stats").Select("days_to_close, on_time, SUM(n) AS n").
		Where("closed_on > ?", now.UTC().AddDate(0, 0, -days).Format("2006-01-02")).
		Group("days_to_close, on_time").Order("days_to_close").Scan(&rows).Error
	if err != nil {
		return p, err
	}
	for _, r := range rows {
		p.Closed += r.N
		if r.OnTime {
			p.OnTime += r.N
		}
	}
	// The median of a sorted multiset given as (value, count) pairs.
	lo, hi := (p.Closed-1)/2, p.Closed/2 // the middle positions, 0-based
	var seen int64
	var lower, upper float64
	for _, r := range rows {
		if seen <= lo && lo < seen+r.N {
			lower = float64(r.DaysToClose)
		}
		if seen <= hi && hi < seen+r.N {
			upper = float64(r.DaysToClose)
		}
		seen += r.N
	}
	if p.Closed > 0 {
		p.MedianDaysToClose = (lower + upper) / 2
	}
	return p, nil
}
