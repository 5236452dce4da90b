/** Usage lines of the `kyso` commands, apart from the commands so `kyso verify` does not load the signing stack. */
export const SIGN_USAGE = `usage: kyso sign IN.pdf -o OUT.pdf
         (--p12 FILE (--passphrase-file F | --passphrase-env VAR)
          | --pkcs11-module SO [--token-label L | --token-serial S | --slot N]
            [--key-label K | --key-id HEX] [--cert-label C | --cert-id HEX] (--pin-file F | --pin-env VAR)
            [--isolate]   (the module in a child process; also KYSO_PKCS11_ISOLATE=1))
         [--chain PEM] [--field NAME] [--reason TEXT] [--location TEXT] [--contact TEXT]
         [--digest sha256|sha384|sha512] [--pss] [--tsa URL]   (--tsa: PAdES B-T with an RFC 3161 time-stamp)
         [--visible PAGE:X1:Y1:X2:Y2]   (a stamp "Ký bởi … Thời gian ký … +07:00" at that rectangle, page from 1)
         [--signature-image PNG] [--seal-image PNG] [--title 'KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH']
                                    (with --visible, Decree 30 Appendix I: the title above the handwritten
                                     signature, the name under it, the red seal over its left third)
         [--remote URL --api-key-file F]   (two-phase: the service prepares and embeds, the token signs here)`;
export const TOKEN_USAGE = 'usage: kyso token list --pkcs11-module SO [--pin-file F | --pin-env VAR]';
export const VERIFY_USAGE = 'usage: kyso verify FILE.pdf|FOLDER... [--trust DIR]... [--intermediates DIR]... [--offline] [--revocation soft|hard] [--strict-crypto-from DATE] [--at ISO-8601] [--json] [--lang vi|en] [--hash] [--etsi-report REPORT.xml]';
export const EXTEND_USAGE = 'usage: kyso extend IN.pdf -o OUT.pdf [--level B-LT|B-LTA] [--tsa URL] [--trust DIR]... [--intermediates DIR]... [--revocation soft|hard]   (B-LTA, the default, needs --tsa)';

export const AGENT_USAGE = `kyso agent --pkcs11-module SO --token-label L --key-label K [--port 27400] --allow-origin https://kyso.agency.example [--allow-origin …]
           [--server URL]… [--pin-file F | --pin-env VAR | --protected-auth] [--state-dir DIR] [--isolate]
  the signing agent on an official's PC: pages of the allowed origins pair with it (a code shown here), list the
  token's certificate and have it sign Kyso signing sessions; the PIN is typed here (or read from a file), never in
  the browser; each signature is logged in DIR/signatures.log (default ~/.kyso-agent); --isolate (or
  KYSO_PKCS11_ISOLATE=1) runs the token's module in a child process, so a module that crashes fails one request,
  not the agent`;

export const EDXML_USAGE = `usage: kyso edxml pack DOC.pdf [--attachment FILE]... --header HEADER.json -o OUT.edxml
       kyso edxml unpack PACKAGE.edxml -d DIR      (the files and header.json into a new folder DIR)
       kyso edxml inspect PACKAGE.edxml [--json]   (header, files with sizes and SHA-256; nothing written)
  edXML packages of QCVN 102:2016; HEADER.json: {"from":{"organId","organName"},"to":[…],"codeNumber","codeNotation",
  "issuedDate":"YYYY-MM-DD","subject", optional "signer":{"competence","position","fullName"}, "priority" 0–3, "documentType":{"typeName"}, …}`;

export const ISSUE_USAGE = `usage: kyso issue places IN.pdf -o OUT.pdf --number-at PAGE:X1:Y1:X2:Y2 --date-at PAGE:X1:Y1:X2:Y2 [--number-field N] [--date-field D]
         (before the official signs: empty read-only fields where the number and the date will be written)
       kyso issue IN.pdf -o OUT.pdf --remote URL --api-key-file F --notation UBND-VP [--place 'Hà Nội'] [--seal PAGE:X1:Y1:X2:Y2]
         (the clerk: the next number of the agency's outgoing register and the date, written by the seal's signature)`;
