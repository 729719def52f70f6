package models

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
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

// LoadDashboard computes the dashboard at instant now, with two queries:
// open cases grouped by every dimension shown (an index-only scan of the
// partial index cases_open), and a year of closure_stats.
func LoadDashboard(ctx context.Context, db *gorm.DB, now time.Time) (*Dashboard, error) {
	db = db.WithContext(ctx)
	var groups []struct {
		Status     string
		Type       string
		Regime     string
		AssigneeID *string
		Paused     bool
		Overdue    bool
		DueSoon    bool
		N          int64
	}
	soon := now.Add(7 * 24 * time.Hour)
	err := db.Model(&Case{}).Select(`status, type, regime, assignee_id, paused,
			(due_at < ?) AS overdue, (due_at >= ? AND due_at < ?) AS due_soon, COUNT(*) AS n`, now, now, soon).
		Where("closed_at IS NULL").Group("status, type, regime, assignee_id, paused, overdue, due_soon").
		Scan(&groups).Error
	if err != nil {
		return nil, fmt.Errorf("dashboard open cases: %w", err)
	}
	d := &Dashboard{}
	byStatus, byType, byRegime, byAssignee := tally{}, tally{}, tally{}, tally{}
	for _, g := range groups {
		d.Open += g.N
		if g.Overdue {
			d.Overdue += g.N
		}
		if g.DueSoon {
			d.DueIn7Days += g.N
		}
		if g.Paused {
			d.Paused += g.N
		}
		byStatus[g.Status] += g.N
		byType[g.Type] += g.N
		byRegime[g.Regime] += g.N
		assignee := ""
		if g.AssigneeID != nil {
			assignee = *g.AssigneeID
		}
		byAssignee[assignee] += g.N
	}
	d.ByStatus, d.ByType, d.ByRegime = byStatus.sorted(), byType.sorted(), byRegime.sorted()
	if d.ByAssignee, err = assigneeEmails(ctx, db, byAssignee); err != nil {
		return nil, err
	}
	if d.Performance, err = performance(db, now, []int{30, 90, 365}); err != nil {
		return nil, fmt.Errorf("dashboard performance: %w", err)
	}
	return d, nil
}

// tally counts by key.
type tally map[string]int64

// sorted lists the counts, largest first, then by key.
func (t tally) sorted() []Count {
	out := make([]Count, 0, len(t))
	for k, n := range t {
		out = append(out, Count{Key: k, Count: n})
	}
	slices.SortFunc(out, func(a, b Count) int {
		if a.Count != b.Count {
			return cmp.Compare(b.Count, a.Count)
		}
		return strings.Compare(a.Key, b.Key)
	})
	return out
}

// assigneeEmails turns counts by user ID into counts by email ("" for
// unassigned cases and users since removed).
func assigneeEmails(ctx context.Context, db *gorm.DB, byID tally) ([]Count, error) {
	var users []User
	if err := db.WithContext(ctx).Select("id, email").Find(&users).Error; err != nil {
		return nil, fmt.Errorf("dashboard users: %w", err)
	}
	emails := map[string]string{}
	for _, u := range users {
		emails[u.ID] = u.Email
	}
	byEmail := tally{}
	for id, n := range byID {
		byEmail[emails[id]] += n
	}
	return byEmail.sorted(), nil
}

// performance reads the longest window from closure_stats — at most a
// row per day, duration and punctuality, whatever the number of cases —
// and sums each window from it. The median is taken over those counts.
func performance(db *gorm.DB, now time.Time, windows []int) ([]Performance, error) {
	longest := slices.Max(windows)
	var rows []ClosureStat
	err := db.Table("closure_stats").Select("closed_on, days_to_close, on_time, n").
		Where("closed_on > ?", dayBefore(now, longest)).Order("days_to_close").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]Performance, 0, len(windows))
	for _, days := range windows {
		from := dayBefore(now, days)
		p := Performance{Days: days}
		var durations []ClosureStat // in days_to_close order
		for _, r := range rows {
			if r.ClosedOn <= from {
				continue
			}
			p.Closed += r.N
			if r.OnTime {
				p.OnTime += r.N
			}
			durations = append(durations, r)
		}
		p.MedianDaysToClose = medianDays(durations, p.Closed)
		out = append(out, p)
	}
	return out, nil
}

func dayBefore(now time.Time, days int) string {
	return now.UTC().AddDate(0, 0, -days).Format("2006-01-02")
}

// medianDays is the median of a multiset given as (days, count) rows in
// ascending days, of total count total.
func medianDays(rows []ClosureStat, total int64) float64 {
	if total == 0 {
		return 0
	}
	lo, hi := (total-1)/2, total/2 // the middle positions, 0-based
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
	return (lower + upper) / 2
}
