/**
 * Command lines go into recordings and reports, which people share; command lines carry
 * secrets (`--db-password=…`, `--token …`, `postgres://user:pass@host`, API keys). What
 * looks like a secret is replaced by `[redacted]`: the value of an option whose name
 * says secret, the password of a URL, and long opaque tokens. The rest stays, so that
 * people can still tell processes apart. A heuristic: secrets passed as plain
 * positional words cannot be told from other words; pass them in the environment or a
 * file (heapsleuth records neither).
 */
export const REDACTED = '[redacted]';

const SECRET_NAME = /pass(word|wd|phrase)?|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|credential|auth|signature|\bpwd\b|\bkey\b/i;
const OPTION_WITH_VALUE = /^(--?[^=\s]+)=(.*)$/s;
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:)[^@\s/]*@/gi;
const JWT = /^eyJ[\w-]+\.[\w-]+\.[\w-]*$/;
const OPAQUE_TOKEN = /^[A-Za-z0-9+/_=-]{24,}$/;

export function redactArgv(argv: readonly string[]): string[] {
  const redacted: string[] = [];
  let valueIsSecret = false;
  for (const [index, arg] of argv.entries()) {
    if (index < 2 && !arg.includes('://')) {
      redacted.push(arg); // the runtime and the script: paths, not secrets
      continue;
    }
    if (valueIsSecret && !arg.startsWith('-')) {
      redacted.push(REDACTED);
      valueIsSecret = false;
      continue;
    }
    valueIsSecret = false;
    const option = OPTION_WITH_VALUE.exec(arg);
    if (option && SECRET_NAME.test(option[1]!)) {
      redacted.push(`${option[1]}=${REDACTED}`);
    } else if (!option && arg.startsWith('-') && SECRET_NAME.test(arg)) {
      redacted.push(arg);
      valueIsSecret = true;
    } else {
      redacted.push(redactWord(arg));
    }
  }
  return redacted;
}

function redactWord(word: string): string {
  const value = OPTION_WITH_VALUE.exec(word);
  if (value) return `${value[1]}=${redactWord(value[2]!)}`;
  if (JWT.test(word) || (OPAQUE_TOKEN.test(word) && /\d/.test(word) && /[A-Za-z]/.test(word))) return REDACTED;
  return word.replace(URL_PASSWORD, `$1${REDACTED}@`);
}
