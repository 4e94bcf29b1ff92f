/**
 * A phone number as a card shows it: enough to recognise, not enough to trip Feishu's data-leak
 * review (230028). Keeps the first three and last four digits; everything else that is a digit
 * becomes *. Short numbers keep only their last two digits.
 */
export function maskPhone(phone: string): string {
  const digits = [...phone].filter((c) => c >= "0" && c <= "9").length;
  if (digits === 0) return phone;
  const keepHead = digits >= 11 ? 3 : digits >= 7 ? 2 : 0;
  const keepTail = digits >= 7 ? 4 : Math.min(2, digits);
  let k = 0;
  return [...phone]
    .map((c) => (c >= "0" && c <= "9" ? (k++ < keepHead || k > digits - keepTail ? c : "*") : c))
    .join("");
}
