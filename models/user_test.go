package models_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/dsrcase/dsr/dbtest"
	"github.com/dsrcase/dsr/models"
)

func TestHashPassword(t *testing.T) {
	_, err := models.HashPassword(strings.Repeat("x", models.MinPasswordLength-1))
	require.Error(t, err)
	_, err = models.HashPassword("")
	require.Error(t, err)
	_, err = models.HashPassword("密码密码")
	require.Error(t, err, "four characters (twelve bytes) are too few")
	_, err = models.HashPassword("密码密码密码密码密码密码")
	require.NoError(t, err, "twelve characters are enough, in any script")

	pw := strings.Repeat("x", models.MinPasswordLength)
	h1, err := models.HashPassword(pw)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(h1, "$argon2id$v=19$"), h1)
	require.NotContains(t, h1, pw)
	h2, err := models.HashPassword(pw)
	require.NoError(t, err)
	require.NotEqual(t, h1, h2, "salted")

	require.True(t, models.CheckPassword(h1, pw))
	require.True(t, models.CheckPassword(h2, pw))
	require.False(t, models.CheckPassword(h1, pw+"y"))
	require.False(t, models.CheckPassword(h1, ""))
}

func TestCheckPasswordGarbageHash(t *testing.T) {
	good, err := models.HashPassword("correct horse battery")
	require.NoError(t, err)
	parts := strings.Split(good, "$")
	b64 := base64.RawStdEncoding.EncodeToString
	for _, hash := range []string{
		"",
		"garbage",
		"$argon2id$",
		"$2a$10$abcdefghijklmnopqrstuuJ0f1wHEq5cZ0Kj7sYw0eGvtJKq0t2a", // bcrypt
		"$argon2i$" + strings.Join(parts[2:], "$"),                    // other variant
		strings.Join(append(parts[:3:3], "m=abc", parts[4], parts[5]), "$"),
		strings.Join(append(parts[:5:5], "!!notbase64!!"), "$"),
		strings.Join(append(parts[:4:4], "!!notbase64!!", parts[5]), "$"),
		good + "$extra",
		"$argon2id$v=19$m=65536,t=3,p=2$" + b64([]byte("salt")) + "$" + b64(make([]byte, 32)),
	} {
		require.False(t, models.CheckPassword(hash, "correct horse battery"), "hash %q", hash)
	}
}

func TestCreateUserAndAuthenticate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		u, err := models.CreateUser(ctx, db, "  Alice@Example.TEST ", models.RoleManager, "correct horse battery")
		require.NoError(t, err)
		require.Equal(t, "alice@example.test", u.Email)
		require.Equal(t, models.RoleManager, u.Role)
		require.NotContains(t, u.PasswordHash, "correct horse battery")

		_, err = models.CreateUser(ctx, db, "alice@example.test", models.RoleHandler, "another long password")
		require.Error(t, err, "duplicate email")
		require.Contains(t, err.Error(), "already exists")
		_, err = models.CreateUser(ctx, db, "ALICE@example.test", models.RoleHandler, "another long password")
		require.Error(t, err, "duplicate email in other case")
		_, err = models.CreateUser(ctx, db, "bob@example.test", models.Role("root"), "another long password")
		require.Error(t, err, "unknown role")
		_, err = models.CreateUser(ctx, db, "bob@example.test", models.RoleHandler, "short")
		require.Error(t, err, "short password")

		got, err := models.Authenticate(ctx, db, "ALICE@example.test ", "correct horse battery")
		require.NoError(t, err)
		require.Equal(t, u.ID, got.ID)

		_, err = models.Authenticate(ctx, db, "alice@example.test", "wrong horse battery")
		require.ErrorIs(t, err, models.ErrBadCredentials)
		_, err = models.Authenticate(ctx, db, "nobody@example.test", "correct horse battery")
		require.ErrorIs(t, err, models.ErrBadCredentials)
		_, err = models.Authenticate(ctx, db, "", "")
		require.ErrorIs(t, err, models.ErrBadCredentials)

		byEmail, err := models.UserByEmail(ctx, db, "Alice@example.test")
		require.NoError(t, err)
		require.Equal(t, u.ID, byEmail.ID)
		_, err = models.UserByEmail(ctx, db, "nobody@example.test")
		require.ErrorIs(t, err, models.ErrNotFound)
		_, err = models.GetUser(ctx, db, models.NewID())
		require.ErrorIs(t, err, models.ErrNotFound)
	})
}

func TestSessions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		u := createUser(t, db, "carol@example.test", models.RoleHandler)

		secret, err := models.CreateSession(ctx, db, u.ID, time.Hour)
		require.NoError(t, err)
		require.NotEmpty(t, secret)
		var stored models.Session
		require.NoError(t, db.Where("user_id = ?", u.ID).Take(&stored).Error)
		require.NotEqual(t, secret, stored.TokenHash, "only the hash is stored")
		require.Equal(t, models.HashSecret(secret), stored.TokenHash)

		got, err := models.SessionUser(ctx, db, secret)
		require.NoError(t, err)
		require.Equal(t, u.ID, got.ID)

		_, err = models.SessionUser(ctx, db, "not-a-session")
		require.ErrorIs(t, err, models.ErrNotFound)
		_, err = models.SessionUser(ctx, db, stored.TokenHash)
		require.ErrorIs(t, err, models.ErrNotFound)

		expired, err := models.CreateSession(ctx, db, u.ID, -time.Second)
		require.NoError(t, err)
		_, err = models.SessionUser(ctx, db, expired)
		require.ErrorIs(t, err, models.ErrNotFound)

		require.NoError(t, models.DeleteSession(ctx, db, secret))
		_, err = models.SessionUser(ctx, db, secret)
		require.ErrorIs(t, err, models.ErrNotFound)
		require.NoError(t, models.DeleteSession(ctx, db, secret), "deleting twice is harmless")
	})
}

func TestAPITokens(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		u := createUser(t, db, "dave@example.test", models.RoleAdmin)
		token, err := models.CreateAPIToken(ctx, db, u.ID)
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(token, "dsr_"), token)

		var stored models.APIToken
		require.NoError(t, db.Where("user_id = ?", u.ID).Take(&stored).Error)
		require.NotContains(t, token, stored.TokenHash)
		require.Equal(t, models.HashSecret(strings.TrimPrefix(token, "dsr_")), stored.TokenHash)

		got, err := models.TokenUser(ctx, db, token)
		require.NoError(t, err)
		require.Equal(t, u.ID, got.ID)

		other, err := models.CreateAPIToken(ctx, db, u.ID)
		require.NoError(t, err)
		require.NotEqual(t, token, other)

		for _, bad := range []string{
			"", "garbage", "dsr_", "dsr_garbage", strings.TrimPrefix(token, "dsr_"),
			"DSR_" + strings.TrimPrefix(token, "dsr_"), "dsr_" + stored.TokenHash, token + "x",
		} {
			_, err := models.TokenUser(ctx, db, bad)
			require.ErrorIs(t, err, models.ErrNotFound, "token %q", bad)
		}
	})
}

// Stored hashes come from HashPassword, but a corrupted or hand-imported
// row must not crash sign-in: CheckPassword should say false.
func TestCheckPasswordMalformedParametersDoNotPanic(t *testing.T) {
	for _, hash := range []string{
		"$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$", // empty key
		"$argon2id$v=19$m=65536,t=0,p=2$c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"$argon2id$v=19$m=65536,t=1,p=0$c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	} {
		require.NotPanics(t, func() { require.False(t, models.CheckPassword(hash, "anything")) }, "hash %q", hash)
	}
}
