package models

import (
	"context"
	"fmt"
	"slices"
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

// performance reads the closing times of a window's cases; the median is
// taken here because the two databases share no median function.
func performance(db *gorm.DB, now time.Time, days int) (Performance, error) {
	p := Performance{Days: days}
	rows, err := db.Model(&Case{}).Select("received_at, due_at, closed_at").
		Where("closed_at IS NOT NULL AND closed_at >= ?", now.AddDate(0, 0, -days)).Rows()
	if err != nil {
		return p, err
	}
	defer rows.Close()
	var durations []float64
	for rows.Next() {
		var received, due, closed time.Time
		if err := rows.Scan(&received, &due, &closed); err != nil {
			return p, err
		}
		p.Closed++
		if !closed.After(due) {
			p.OnTime++
		}
		durations = append(durations, closed.Sub(received).Hours()/24)
	}
	if err := rows.Err(); err != nil {
		return p, err
	}
	p.MedianDaysToClose = median(durations)
	return p, nil
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	mid := len(xs) / 2
	if len(xs)%2 == 1 {
		return xs[mid]
	}
	return (xs[mid-1] + xs[mid]) / 2
}
