# shellcheck shell=bash
# A test PKI made with openssl, in $PKI (set by the caller), and a bcrypt
# user, for the tests that talk to a TLS daemon (test_web_tls, test_top).

# make_ca NAME: a self-signed CA, NAME.crt and NAME.key.
make_ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$PKI/$1.key" -out "$PKI/$1.crt" -days 2 -subj "/CN=skbtrace test $1" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign 2> /dev/null || fail "openssl: CA $1"
}

# make_cert NAME CA USAGE DAYS: NAME.crt signed by CA for serverAuth or
# clientAuth, valid from now for DAYS (-1: expired yesterday).
make_cert() {
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$PKI/$1.key" -out "$PKI/$1.csr" -subj "/CN=$1" 2> /dev/null ||
		fail "openssl: key $1"
	printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=%s\nsubjectAltName=IP:127.0.0.1\n' \
		"$3" > "$PKI/$1.ext"
	openssl x509 -req -in "$PKI/$1.csr" -CA "$PKI/$2.crt" -CAkey "$PKI/$2.key" \
		-CAcreateserial -days "$4" -extfile "$PKI/$1.ext" -out "$PKI/$1.crt" 2> /dev/null ||
		fail "openssl: certificate $1"
}

# bcrypt (cost 10) of "s3cret", made once with libxcrypt.
# shellcheck disable=SC2016,SC2034
HASH_S3CRET='$2y$10$CV3lTaFSYpgwjHdcD.FB6Oqd20kwuV8r75arEnguCEdxbB93CCM3K'
