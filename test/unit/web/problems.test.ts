/** The web application's Vietnamese names of API errors: each names a code the service really answers with. */
import { statusFor } from '../../../src/http/error-status';
import type { ErrorCode } from '../../../src/errors';
import { describeProblem, PROBLEMS } from '../../../web/src/problems';

describe('API errors on a page', () => {
  it('when a code is described, then the service has that code with a status of its own (no typo hides a message)', () => {
    const unknown = Object.keys(PROBLEMS).filter((code) => statusFor(code as ErrorCode) === 500);
    expect(unknown).toEqual([]);
  });

  it('when the page is in Vietnamese, then the meaning comes first and the detail after it; in English, or for an unknown code, the detail alone', () => {
    const detail = 'the code 000.00.00.E04 was used by an agency and stays reserved';
    expect([
      describeProblem('AGENCY_EXISTS', detail, 'vi'),
      describeProblem('AGENCY_EXISTS', detail, 'en'),
      describeProblem('SOMETHING_NEW', 'as the service says', 'vi'),
    ]).toEqual([`Mã định danh này đang hoặc đã được dùng (${detail})`, detail, 'as the service says']);
  });
});
