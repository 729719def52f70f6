# syntax=docker/dockerfile:1
#
# The product's one binary, dsr, in an image of its own: every production
# process runs from it (dsr web, dsr worker, dsr migrate, dsr user, dsr token).
#
#   docker build -t dsr .
#   docker run --rm dsr help      (with no arguments the image runs `dsr web`)
#
# docker-compose.yml runs the whole stack from this image.

# ---- build: a static binary (pure-Go SQLite and PostgreSQL drivers, no cgo)
FROM golang:1.26-bookworm AS build
WORKDIR /src
ENV CGO_ENABLED=0
# Modules first, so that a source change does not download them again.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath -ldflags="-s -w" -o /out/dsr ./cmd/dsr \
 && mkdir -p /out/data

# ---- runtime: distroless static (CA certificates for SMTP/Temporal TLS,
# /etc/passwd with the nonroot user, no shell). Time zones are compiled
# into the binary (time/tzdata), templates and migrations are embedded.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/dsr /usr/local/bin/dsr
# DSR_DATA_DIR: the SQLite file when no DSR_DATABASE_URL is given. Unused
# with PostgreSQL; mount a volume here to keep an SQLite database.
COPY --from=build --chown=65532:65532 /out/data /var/lib/dsr
WORKDIR /var/lib/dsr
ENV DSR_DATA_DIR=/var/lib/dsr \
    DSR_LISTEN=0.0.0.0:8080
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/dsr"]
CMD ["web"]
