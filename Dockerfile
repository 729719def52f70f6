# The dsr binary in a small image. One image serves every process:
# `dsr migrate`, `dsr web` and `dsr worker` (see docker-compose.yml).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/dsr ./cmd/dsr

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/dsr /usr/local/bin/dsr
ENV DSR_LISTEN=0.0.0.0:8080 \
    DSR_DATA_DIR=/tmp/dsr
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/dsr"]
CMD ["web"]
