package models

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
)

// System is a place that holds personal data and receives tasks: an
// internal system, a subprocessor or an independent controller.
type System struct {
	ID             string
	Name           string
	Kind           SystemKind
	Connector      Connector
	Actions        StringList
	DataCategories StringList
	OwnerEmail     string
	Enabled        bool
	Config         JSONObject
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Supports reports whether the system can act on requests of type t.
func (s *System) Supports(t RequestType) bool { return slices.Contains(s.Actions, string(t)) }

// StringList is a list of strings stored as a JSON array in a TEXT column.
type StringList []string

// Value implements driver.Valuer.
func (l StringList) Value() (driver.Value, error) {
	if l == nil {
		l = StringList{}
	}
	b, err := json.Marshal([]string(l))
	return string(b), err
}

// Scan implements sql.Scanner.
func (l *StringList) Scan(v any) error { return scanJSON(v, (*[]string)(l)) }

// JSONObject is a JSON object stored in a TEXT column.
type JSONObject map[string]any

// Value implements driver.Valuer.
func (o JSONObject) Value() (driver.Value, error) {
	if o == nil {
		o = JSONObject{}
	}
	b, err := json.Marshal(map[string]any(o))
	return string(b), err
}

// Scan implements sql.Scanner.
func (o *JSONObject) Scan(v any) error { return scanJSON(v, (*map[string]any)(o)) }

func scanJSON(v any, dst any) error {
	var b []byte
	switch x := v.(type) {
	case string:
		b = []byte(x)
	case []byte:
		b = x
	case nil:
		return nil
	default:
		return fmt.Errorf("cannot read %T as JSON", v)
	}
	if len(b) == 0 {
		return nil
	}
	return json.Unmarshal(b, dst)
}

// ListSystems returns every registered system by name.
func ListSystems(ctx context.Context, db *gorm.DB) ([]System, error) {
	var out []System
	err := db.WithContext(ctx).Order("name").Find(&out).Error
	return out, err
}

// GetSystem loads one system.
func GetSystem(ctx context.Context, db *gorm.DB, id string) (*System, error) {
	return find[System](ctx, db, "id = ?", id)
}

// SaveSystem inserts or updates a system.
func SaveSystem(ctx context.Context, db *gorm.DB, s *System) error {
	if s.ID == "" {
		s.ID = NewID()
		return db.WithContext(ctx).Create(s).Error
	}
	return db.WithContext(ctx).Save(s).Error
}

// DeleteSystem removes a system that no task refers to; one that has tasks
// is kept as evidence and can only be disabled.
func DeleteSystem(ctx context.Context, db *gorm.DB, id string) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&Task{}).Where("system_id = ?", id).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return ErrInUse
		}
		res := tx.Delete(&System{}, "id = ?", id)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		return nil
	})
}

// ErrInUse is returned when a row cannot be deleted because others refer to it.
var ErrInUse = errors.New("in use")
