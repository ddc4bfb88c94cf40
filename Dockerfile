# openswf in a container: a static binary on an empty base, running as a
# user without privileges, its SQLite database in the volume /data.
#
#   docker build --build-arg VERSION=v0.1.0 -t openswf .
#   docker run -p 127.0.0.1:7930:7930 -v openswf-data:/data openswf
#
# Settings are OPENSWF_* variables (see the README), e.g.
# -e OPENSWF_USERS=/data/users.json, or flags after the image name
# (docker run openswf serve --log-format json).

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=""
# CGO_ENABLED=0: no libc to link (the SQLite driver is pure Go), so the
# binary runs on an empty base.
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/openswf ./cmd/openswf \
 && mkdir -p /out/data /out/tmp && chmod 1777 /out/tmp

FROM scratch
# CA certificates, for a Lambda endpoint or STS over HTTPS.
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/tmp /tmp
COPY --from=build --chown=65532:65532 /out/data /data
COPY --from=build /out/openswf /openswf
USER 65532:65532
ENV OPENSWF_LISTEN=0.0.0.0:7930 \
    OPENSWF_DATABASE=/data/openswf.db
VOLUME /data
EXPOSE 7930
# The image has no shell and no curl: the binary checks its own /healthz.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 CMD ["/openswf", "healthcheck"]
ENTRYPOINT ["/openswf"]
CMD ["serve"]
