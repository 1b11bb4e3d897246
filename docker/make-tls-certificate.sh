#!/bin/sh
# Makes a throw-away CA and a server certificate for the TLS node of
# compose.yml (names node-tls, localhost, 127.0.0.1) into /certs, once.
# Run by the `tls-certs` service (alpine + openssl); see README.md.
set -eu
cd /certs
if [ -f server.pem ]; then echo "certificates exist"; exit 0; fi
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 365 -subj /CN=mcc-docker-ca
openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=node-tls
printf 'subjectAltName=DNS:node-tls,DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 365 -extfile server.ext
# memcached runs as the image's unprivileged user: it must read the key.
# A development certificate in a private volume; never do this with a real key.
chmod 644 server.key server.pem ca.pem
rm -f ca.key server.csr server.ext
echo "made ca.pem, server.pem, server.key"
