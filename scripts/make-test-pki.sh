#!/usr/bin/env bash
# Creates a throw-away PKI for tests and the demo: root CA, issuing CA (with OCSP and CRL locations on
# 127.0.0.1), signer certificates for RSA, ECDSA and edge cases, a TSA and an OCSP responder certificate.
# Idempotent: does nothing when OUT/done exists. These keys are test keys and are never committed.
#   usage: make-test-pki.sh OUT_DIR [NAME_PREFIX]
set -euo pipefail
OUT=${1:?usage: make-test-pki.sh OUT_DIR [NAME_PREFIX]}
PREFIX=${2:-Kyso Test}
OCSP_URL=${KYSO_TEST_OCSP_URL:-http://127.0.0.1:39081}
CRL_URL=${KYSO_TEST_CRL_URL:-http://127.0.0.1:39082/issuing-ca.crl}
ROOT_CRL_URL=${CRL_URL%/*}/root-ca.crl
[ -f "$OUT/done" ] && exit 0
rm -rf "$OUT"; mkdir -p "$OUT"; cd "$OUT"
PASS=kyso-test   # passphrase of the test PKCS#12 files (test PKI only)

ca_config() { # $1 = CA dir
  cat > "$1/ca.cnf" <<CNF
[ ca ]
default_ca = this_ca
[ this_ca ]
dir = $PWD/$1
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
serial = \$dir/serial
crlnumber = \$dir/crlnumber
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
default_crl_days = 3650
[ any ]
commonName = supplied
organizationName = optional
organizationalUnitName = optional
countryName = optional
localityName = optional
[ v3_ca ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_sub_ca ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:$ROOT_CRL_URL
[ v3_signer_no_revocation ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_signer ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
authorityInfoAccess = OCSP;URI:$OCSP_URL
crlDistributionPoints = URI:$CRL_URL
[ v3_no_sign_usage ]
basicConstraints = critical, CA:false
keyUsage = critical, keyEncipherment
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_tsa ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
authorityInfoAccess = OCSP;URI:$OCSP_URL
crlDistributionPoints = URI:$CRL_URL
[ v3_ocsp ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, OCSPSigning
# id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1): the responder's own status is not asked for.
noCheck = ignored
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
  mkdir -p "$1/newcerts"; : > "$1/index.txt"; echo 1000 > "$1/serial"; echo 1000 > "$1/crlnumber"
}

newkey() { # $1 = file, $2 = rsa|ec256|ec384
  case "$2" in
    rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null ;;
    ec256) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" ;;
    ec384) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$1" ;;
  esac
}

issue() { # $1 = name, $2 = key type, $3 = subject, $4 = extensions, [$5 $6] = start/end dates
  newkey "$1.key" "$2"
  openssl req -new -key "$1.key" -subj "$3" -utf8 -out "$1.csr"
  local dates=(-days 3650)
  [ $# -ge 6 ] && dates=(-startdate "$5" -enddate "$6")
  openssl ca -batch -config issuing-ca/ca.cnf -extensions "$4" -in "$1.csr" -out "$1.pem" -notext \
    -utf8 "${dates[@]}" 2>/dev/null
  openssl x509 -in "$1.pem" -outform DER -out "$1.der"
  cat "$1.pem" issuing-ca.pem root-ca.pem > "$1.chain.pem"
  openssl pkcs12 -export -inkey "$1.key" -in "$1.pem" -certfile <(cat issuing-ca.pem root-ca.pem) \
    -name "$1" -passout "pass:$PASS" -out "$1.p12"
  rm -f "$1.csr"
}

# Root CA (self-signed) and issuing CA.
mkdir -p root-ca issuing-ca; ca_config root-ca; ca_config issuing-ca
newkey root-ca.key rsa
openssl req -new -x509 -key root-ca.key -subj "/C=VN/O=$PREFIX PKI/CN=$PREFIX Root CA" -utf8 -days 7300 \
  -config root-ca/ca.cnf -extensions v3_ca -out root-ca.pem
newkey issuing-ca.key rsa
openssl req -new -key issuing-ca.key -subj "/C=VN/O=$PREFIX PKI/CN=$PREFIX Issuing CA" -utf8 -out issuing-ca.csr
openssl ca -batch -config root-ca/ca.cnf -keyfile root-ca.key -cert root-ca.pem -extensions v3_sub_ca \
  -in issuing-ca.csr -out issuing-ca.pem -notext -days 5000 2>/dev/null
rm issuing-ca.csr
cat >> issuing-ca/ca.cnf <<CNF
[ this_ca ]
certificate = $PWD/issuing-ca.pem
private_key = $PWD/issuing-ca.key
CNF
# openssl ca reads the last [this_ca] section only partially; rewrite it as one section.
python3 - "$PWD/issuing-ca/ca.cnf" <<'PY'
import sys, re
p = sys.argv[1]; s = open(p).read()
extra = s[s.rindex('[ this_ca ]'):]; s = s[:s.rindex('[ this_ca ]')]
lines = [l for l in extra.splitlines()[1:] if l.strip()]
s = s.replace('[ this_ca ]\n', '[ this_ca ]\n' + '\n'.join(lines) + '\n', 1)
open(p, 'w').write(s)
PY

issue official-rsa rsa "/C=VN/O=Bộ Thử nghiệm/OU=Văn phòng/CN=Nguyễn Văn An" v3_signer
issue official-ec ec256 "/C=VN/O=Bộ Thử nghiệm/OU=Vụ Pháp chế/CN=Trần Thị Bình" v3_signer
issue seal-rsa rsa "/C=VN/O=Bộ Thử nghiệm/CN=Bộ Thử nghiệm" v3_signer
issue seal-ec384 ec384 "/C=VN/O=Bộ Thử nghiệm/CN=Bộ Thử nghiệm (P-384)" v3_signer
issue revoked rsa "/C=VN/O=Bộ Thử nghiệm/CN=Lê Văn Thu Hồi" v3_signer
issue expired rsa "/C=VN/O=Bộ Thử nghiệm/CN=Phạm Hết Hạn" v3_signer 20200101000000Z 20210101000000Z
issue not-yet-valid rsa "/C=VN/O=Bộ Thử nghiệm/CN=Đỗ Chưa Hiệu Lực" v3_signer 20900101000000Z 20910101000000Z
issue no-sign-usage rsa "/C=VN/O=Bộ Thử nghiệm/CN=Vũ Không Ký" v3_no_sign_usage
issue tsa rsa "/C=VN/O=$PREFIX PKI/CN=$PREFIX TSA" v3_tsa
issue ocsp rsa "/C=VN/O=$PREFIX PKI/CN=$PREFIX OCSP Responder" v3_ocsp

# Revoke one signer and publish the CRL (DER, as served over HTTP).
openssl ca -config issuing-ca/ca.cnf -revoke revoked.pem -crl_reason keyCompromise 2>/dev/null
openssl ca -gencrl -config issuing-ca/ca.cnf -out issuing-ca.crl.pem 2>/dev/null
openssl crl -in issuing-ca.crl.pem -outform DER -out issuing-ca.crl

# A second issuing CA that the root revokes, with one signer below it (chain revocation tests).
ROOT=(-config root-ca/ca.cnf -keyfile root-ca.key -cert root-ca.pem)
newkey revoked-ca.key rsa
openssl req -new -key revoked-ca.key -subj "/C=VN/O=$PREFIX PKI/CN=$PREFIX Revoked Issuing CA" -utf8 -out revoked-ca.csr
openssl ca -batch "${ROOT[@]}" -extensions v3_sub_ca -in revoked-ca.csr -out revoked-ca.pem -notext -days 5000 2>/dev/null
newkey under-revoked-ca.key rsa
openssl req -new -key under-revoked-ca.key -subj "/C=VN/O=Bộ Thử nghiệm/CN=Hoàng Văn Dưới CA Thu Hồi" -utf8 -out under-revoked-ca.csr
openssl x509 -req -in under-revoked-ca.csr -CA revoked-ca.pem -CAkey revoked-ca.key -set_serial 4242 -days 3650 \
  -extfile issuing-ca/ca.cnf -extensions v3_signer_no_revocation -out under-revoked-ca.pem 2>/dev/null
openssl pkcs12 -export -inkey under-revoked-ca.key -in under-revoked-ca.pem -certfile <(cat revoked-ca.pem root-ca.pem) \
  -name under-revoked-ca -passout "pass:$PASS" -out under-revoked-ca.p12
openssl ca "${ROOT[@]}" -revoke revoked-ca.pem -crl_reason cACompromise 2>/dev/null
openssl ca -gencrl "${ROOT[@]}" -out root-ca.crl.pem 2>/dev/null
openssl crl -in root-ca.crl.pem -outform DER -out root-ca.crl
rm -f revoked-ca.csr under-revoked-ca.csr

openssl x509 -in root-ca.pem -outform DER -out root-ca.der
openssl x509 -in issuing-ca.pem -outform DER -out issuing-ca.der
echo "$PASS" > p12-passphrase.txt
touch done
echo "test PKI created in $OUT"
