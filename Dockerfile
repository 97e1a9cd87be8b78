# The Portico gateway in a distroless image: a static binary, no shell, run
# as the nonroot user (65532). Build and run (README "Docker"):
#
#   docker build --build-arg VERSION="$(git describe --tags --always --dirty)" -t portico .
#   docker run --rm -p 8080:8080 -v "$PWD/portico.yaml:/etc/portico/portico.yaml:ro" portico
#
# The default config (docker/portico.yaml, at $PORTICO_CONFIG) listens on
# 0.0.0.0:8080 and serves /healthz on the admin listener, 0.0.0.0:9090,
# where HEALTHCHECK asks.

# The Go of go.mod's go line.
FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=devel
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X main.version=${VERSION}" \
      -o /out/portico ./cmd/portico

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/portico /portico
COPY docker/portico.yaml /etc/portico/portico.yaml
ENV PORTICO_CONFIG=/etc/portico/portico.yaml
USER nonroot:nonroot
# dataDir defaults to ./portico-data: the control plane's JetStream store
# (and the ACME cache) go to /home/nonroot/portico-data, which nonroot can
# write; mount a volume there to keep them across containers.
WORKDIR /home/nonroot
# 8080: the data plane (WebSocket, HTTP APIs, @connections); 9090: admin.
EXPOSE 8080 9090
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/portico", "healthcheck"]
ENTRYPOINT ["/portico"]
CMD ["serve"]
