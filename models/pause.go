package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// CasePause is one clock stop. Its dates are local calendar dates in the
// case's regime, as written by the caller (YYYY-MM-DD).
type CasePause struct {
	ID        string
	CaseID    string
	StartedOn string
	EndedOn   *string
	CreatedAt time.Time
}

// PauseCase marks a case paused from the given date and records it, once:
// a case already paused stays as it is.
func PauseCase(ctx context.Context, db *gorm.DB, caseID, on, actor, summary string) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var open int64
		if err := tx.Model(&CasePause{}).Where("case_id = ? AND ended_on IS NULL", caseID).Count(&open).Error; err != nil {
			return fmt.Errorf("read pauses of case %s: %w", caseID, err)
		}
		if open > 0 {
			return nil
		}
		var n int64
		if err := tx.Model(&CasePause{}).Where("case_id = ?", caseID).Count(&n).Error; err != nil {
			return err
		}
		p := CasePause{ID: NewID(), CaseID: caseID, StartedOn: on, CreatedAt: Now()}
		if err := tx.Create(&p).Error; err != nil {
			return fmt.Errorf("pause case %s: %w", caseID, err)
		}
		if err := tx.Model(&Case{}).Where("id = ?", caseID).Updates(map[string]any{"paused": true, "updated_at": Now()}).Error; err != nil {
			return err
		}
		return AddEvent(tx, caseID, fmt.Sprintf("paused-%d", n+1), "paused", actor, summary)
	})
}

// ResumeCase ends the open pause on the given date, sets the due date the
// caller computed from all pauses, and records it, once.
func ResumeCase(ctx context.Context, db *gorm.DB, caseID, on string, due func([]CasePause) (time.Time, error), actor string) (time.Time, error) {
	var newDue time.Time
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var pauses []CasePause
		if err := tx.Where("case_id = ?", caseID).Order("started_on, id").Find(&pauses).Error; err != nil {
			return fmt.Errorf("read pauses of case %s: %w", caseID, err)
		}
		c, err := GetCase(ctx, tx, caseID)
		if err != nil {
			return err
		}
		last := len(pauses) - 1
		if last < 0 || pauses[last].EndedOn != nil {
			newDue = c.DueAt // not paused: a retry after the resume was recorded
			return nil
		}
		pauses[last].EndedOn = &on
		if newDue, err = due(pauses); err != nil {
			return err
		}
		if err := tx.Model(&CasePause{}).Where("id = ?", pauses[last].ID).Update("ended_on", on).Error; err != nil {
			return err
		}
		updates := map[string]any{"paused": false, "due_at": newDue.UTC(), "updated_at": Now()}
		if c.ExtendedDueAt != nil {
			updates["extended_due_at"] = newDue.UTC()
		}
		if err := tx.Model(&Case{}).Where("id = ?", caseID).Updates(updates).Error; err != nil {
			return err
		}
		summary := fmt.Sprintf("Resumed; paused %s to %s", pauses[last].StartedOn, on)
		return AddEvent(tx, caseID, fmt.Sprintf("resumed-%d", last+1), "resumed", actor, summary)
	})
	return newDue, err
}

// CasePauses lists a case's clock stops, oldest first.
func CasePauses(ctx context.Context, db *gorm.DB, caseID string) ([]CasePause, error) {
	var out []CasePause
	err := db.WithContext(ctx).Where("case_id = ?", caseID).Order("started_on, id").Find(&out).Error
	return out, err
}
