package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Task is one system's part of a case.
type Task struct {
	ID          string
	CaseID      string
	SystemID    string
	Action      RequestType
	Status      TaskStatus
	Outcome     string
	Note        string
	Data        JSONObject
	CompletedBy *string
	CompletedAt *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TaskView is a task with its system's name, for pages and the API.
type TaskView struct {
	Task
	SystemName string
	OwnerEmail string
}

// TaskRef is what a case workflow knows of a planned task.
type TaskRef struct {
	TaskID    string
	SystemID  string
	Connector Connector
}

// TaskSubmission is an answer to a task as someone sent it; the task
// workflow decides whether it is accepted. Rejected ones stay as evidence.
type TaskSubmission struct {
	ID          string
	TaskID      string
	Outcome     TaskOutcome
	Note        string
	Data        JSONObject
	SubmittedBy *string
	CreatedAt   time.Time
}

// PlanTasks creates one pending task per enabled system that supports the
// case's type. It is idempotent: a second call returns the same tasks.
func PlanTasks(ctx context.Context, db *gorm.DB, caseID string) ([]TaskRef, error) {
	var refs []TaskRef
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var c Case
		if err := tx.Where("id = ?", caseID).Take(&c).Error; err != nil {
			return fmt.Errorf("load case %s: %w", caseID, err)
		}
		var systems []System
		if err := tx.Where("enabled = ?", true).Order("name, id").Find(&systems).Error; err != nil {
			return fmt.Errorf("list systems: %w", err)
		}
		now := Now()
		for _, s := range systems {
			if !s.Supports(c.Type) {
				continue
			}
			t := Task{ID: NewID(), CaseID: caseID, SystemID: s.ID, Action: c.Type, Status: TaskPending,
				Data: JSONObject{}, CreatedAt: now, UpdatedAt: now}
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&t).Error; err != nil {
				return fmt.Errorf("plan task for system %s: %w", s.ID, err)
			}
		}
		var rows []struct {
			ID        string
			SystemID  string
			Connector Connector
		}
		err := tx.Table("tasks").Select("tasks.id, tasks.system_id, systems.connector").
			Joins("JOIN systems ON systems.id = tasks.system_id").
			Where("tasks.case_id = ?", caseID).Order("systems.name, tasks.id").Scan(&rows).Error
		if err != nil {
			return fmt.Errorf("read planned tasks: %w", err)
		}
		for _, r := range rows {
			refs = append(refs, TaskRef{TaskID: r.ID, SystemID: r.SystemID, Connector: r.Connector})
		}
		return nil
	})
	return refs, err
}

// CaseTasks lists a case's tasks with their systems' names.
func CaseTasks(ctx context.Context, db *gorm.DB, caseID string) ([]TaskView, error) {
	var out []TaskView
	err := db.WithContext(ctx).Table("tasks").
		Select("tasks.*, systems.name AS system_name, systems.owner_email AS owner_email").
		Joins("JOIN systems ON systems.id = tasks.system_id").
		Where("tasks.case_id = ?", caseID).Order("systems.name, tasks.id").Scan(&out).Error
	return out, err
}

// GetTask loads one task of a case.
func GetTask(ctx context.Context, db *gorm.DB, caseID, taskID string) (*TaskView, error) {
	var out TaskView
	err := db.WithContext(ctx).Table("tasks").
		Select("tasks.*, systems.name AS system_name, systems.owner_email AS owner_email").
		Joins("JOIN systems ON systems.id = tasks.system_id").
		Where("tasks.id = ? AND tasks.case_id = ?", taskID, caseID).Take(&out).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &out, err
}

// SetTaskStatus moves an open task to status.
func SetTaskStatus(ctx context.Context, db *gorm.DB, taskID string, status TaskStatus) error {
	return db.WithContext(ctx).Model(&Task{}).Where("id = ?", taskID).
		Updates(map[string]any{"status": status, "updated_at": Now()}).Error
}

// AddTaskSubmission stores an answer to a task before the workflow rules on it.
func AddTaskSubmission(ctx context.Context, db *gorm.DB, s *TaskSubmission) error {
	s.ID = NewID()
	s.CreatedAt = Now()
	if s.Data == nil {
		s.Data = JSONObject{}
	}
	return db.WithContext(ctx).Create(s).Error
}

// AcceptTaskSubmission closes the task with the submission's outcome, note
// and data, and records it on the case timeline. Idempotent.
func AcceptTaskSubmission(ctx context.Context, db *gorm.DB, taskID, submissionID string) (TaskOutcome, error) {
	var outcome TaskOutcome
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var s TaskSubmission
		if err := tx.Where("id = ? AND task_id = ?", submissionID, taskID).Take(&s).Error; err != nil {
			return fmt.Errorf("load submission %s: %w", submissionID, err)
		}
		var t TaskView
		err := tx.Table("tasks").Select("tasks.*, systems.name AS system_name").
			Joins("JOIN systems ON systems.id = tasks.system_id").Where("tasks.id = ?", taskID).Take(&t).Error
		if err != nil {
			return fmt.Errorf("load task %s: %w", taskID, err)
		}
		outcome = s.Outcome
		err = tx.Model(&Task{}).Where("id = ?", taskID).Updates(map[string]any{
			"status": s.Outcome.Status(), "outcome": string(s.Outcome), "note": s.Note, "data": s.Data,
			"completed_by": s.SubmittedBy, "completed_at": Now(), "updated_at": Now(),
		}).Error
		if err != nil {
			return fmt.Errorf("close task %s: %w", taskID, err)
		}
		actor := "system owner"
		if s.SubmittedBy != nil {
			var u User
			if err := tx.Where("id = ?", *s.SubmittedBy).Take(&u).Error; err == nil {
				actor = u.Email
			}
		}
		return AddEvent(tx, t.CaseID, "task-"+taskID, "task_"+string(s.Outcome), actor,
			fmt.Sprintf("%s: %s", t.SystemName, s.Outcome))
	})
	return outcome, err
}
