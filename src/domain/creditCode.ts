/** 统一社会信用代码 (GB 32100-2015): 18 characters from a 31-symbol alphabet, the last a check character. */
const ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** The check character for the first 17 characters, or null when one of them is outside the alphabet. */
export function creditCodeCheckChar(first17: string): string | null {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = ALPHABET.indexOf(first17[i] ?? "?");
    if (v < 0) return null;
    sum += v * WEIGHTS[i]!;
  }
  return ALPHABET[(31 - (sum % 31)) % 31]!;
}

/** Why a code is not valid (Chinese, for import messages), or null when it is valid. */
export function creditCodeProblem(code: string): string | null {
  if (code.length !== 18) return `应为18位，实际${[...code].length}位`;
  for (const ch of code) {
    if (!ALPHABET.includes(ch)) return `含非法字符「${ch}」（只允许数字和除 I、O、Z、S、V 外的大写字母）`;
  }
  const expected = creditCodeCheckChar(code.slice(0, 17));
  if (expected !== code[17]) return `校验位错误（应为 ${expected}）`;
  return null;
}

/** Makes a valid code from a 17-character body (fixtures, demo data, benchmarks). */
export function withCheckChar(first17: string): string {
  const c = creditCodeCheckChar(first17);
  if (c === null || first17.length !== 17) throw new Error(`invalid credit code body: ${first17}`);
  return first17 + c;
}
