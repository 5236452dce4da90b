"""Judges PDFs with pyHanko, one per line on stdin, one JSON line each on stdout: whether every signature is
clean (intact, sound, covering whole revisions, changes after it allowed) and the first signature's
modification level. Trust is not judged (Kyso's side ignores it too): only structure and cryptography."""
import json
import sys
import warnings

warnings.filterwarnings('ignore')
import logging

logging.disable(logging.CRITICAL)

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko_certvalidator import ValidationContext

vc = ValidationContext(allow_fetching=False, revocation_mode='soft-fail')

for line in sys.stdin:
    path = line.strip()
    if not path:
        continue
    out = {'file': path}
    try:
        with open(path, 'rb') as f:
            reader = PdfFileReader(f, strict=False)
            sigs = reader.embedded_signatures
            levels = []
            clean = len(sigs) > 0
            for sig in sigs:
                if sig.sig_object_type == '/DocTimeStamp':
                    status = validate_pdf_timestamp(sig, validation_context=vc)
                else:
                    status = validate_pdf_signature(sig, vc)
                level = status.diff_result.modification_level.name if status.diff_result is not None and hasattr(status.diff_result, 'modification_level') else 'NONE'
                if status.diff_result is not None and not hasattr(status.diff_result, 'modification_level'):
                    level = 'OTHER'  # the diff analysis itself failed (SuspiciousModification)
                levels.append(level)
                coverage = status.coverage.name if status.coverage is not None else 'NONE'
                ok = status.intact and status.valid and coverage in ('ENTIRE_FILE', 'ENTIRE_REVISION') and getattr(status, 'docmdp_ok', None) is not False
                clean = clean and ok
            out.update({'signatures': len(sigs), 'clean': clean, 'level': levels[0] if levels else None})
    except Exception as e:  # an unreadable file is not clean
        out.update({'signatures': 0, 'clean': False, 'level': None, 'error': type(e).__name__})
    print(json.dumps(out), flush=True)
