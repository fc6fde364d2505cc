/**
 * What the chart picture writes: body and sign abbreviations in English or
 * Hindi, degrees, the retrograde mark, and an estimate of each text's width.
 *
 * The width estimate is what keeps labels apart: every `<text>` is drawn with
 * `textLength` set to it (svg.ts), so the browser fits the glyphs to exactly
 * the width the layout reserved, whatever font it picked.
 */
import type { Planet } from '../core/natal';

export const LABEL_LANGUAGES = ['en', 'hi'] as const;
export type LabelLanguage = (typeof LABEL_LANGUAGES)[number];

/** The ascendant and the planets: everything a chart places. */
export type Body = 'Ascendant' | Planet;

/**
 * English two-letter abbreviations as Parashari software prints them; Hindi
 * the customary first syllables (सू चं मं बु गु शु श रा के, ल for lagna).
 */
const BODY_ABBR: Record<LabelLanguage, Record<Body, string>> = {
  en: {
    Ascendant: 'As', Sun: 'Su', Moon: 'Mo', Mars: 'Ma', Mercury: 'Me', Jupiter: 'Ju', Venus: 'Ve',
    Saturn: 'Sa', Rahu: 'Ra', Ketu: 'Ke', Uranus: 'Ur', Neptune: 'Ne', Pluto: 'Pl',
  },
  hi: {
    Ascendant: 'ल', Sun: 'सू', Moon: 'चं', Mars: 'मं', Mercury: 'बु', Jupiter: 'गु', Venus: 'शु',
    Saturn: 'श', Rahu: 'रा', Ketu: 'के', Uranus: 'यू', Neptune: 'ने', Pluto: 'प्लू',
  },
};

/** Sign names short enough for a cell corner (south and east charts). */
const SIGN_ABBR: Record<LabelLanguage, readonly string[]> = {
  en: ['Ar', 'Ta', 'Ge', 'Cn', 'Le', 'Vi', 'Li', 'Sc', 'Sg', 'Cp', 'Aq', 'Pi'],
  hi: ['मेष', 'वृष', 'मिथुन', 'कर्क', 'सिंह', 'कन्या', 'तुला', 'वृश्चिक', 'धनु', 'मकर', 'कुंभ', 'मीन'],
};

/** Retrograde: "(R)" in English, "(व)" for वक्री in Hindi. */
const RETRO_MARK: Record<LabelLanguage, string> = { en: '(R)', hi: '(व)' };

const DEVANAGARI_DIGITS = '०१२३४५६७८९';

export function localDigits(text: string, lang: LabelLanguage): string {
  return lang === 'hi' ? text.replace(/[0-9]/g, (d) => DEVANAGARI_DIGITS[Number(d)]) : text;
}

export function bodyAbbr(body: Body, lang: LabelLanguage): string {
  return BODY_ABBR[lang][body];
}

export function signAbbr(signIndex: number, lang: LabelLanguage): string {
  return SIGN_ABBR[lang][signIndex];
}

/** Sign number 1–12 as the north chart writes it in each house. */
export function signNumber(signIndex: number, lang: LabelLanguage): string {
  return localDigits(String(signIndex + 1), lang);
}

/** `21°33′`: whole degrees and minutes, truncated (a planet at 29°59.9′ has not reached the next sign). */
export function degreeText(degreeInSign: number, lang: LabelLanguage): string {
  const totalMin = Math.floor(degreeInSign * 60 + 1e-9);
  const deg = Math.floor(totalMin / 60);
  const min = totalMin % 60;
  return localDigits(`${deg}°${String(min).padStart(2, '0')}′`, lang);
}

/** One body's label: `Su 21°33′`, `Sa(R) 5°10′`. */
export function bodyLabel(body: Body, degreeInSign: number, retrograde: boolean, lang: LabelLanguage): string {
  return `${bodyAbbr(body, lang)}${retrograde ? RETRO_MARK[lang] : ''} ${degreeText(degreeInSign, lang)}`;
}

// Advance widths in em of a typical sans-serif (DejaVu / Liberation / Noto Sans, rounded up).
const NARROW = new Set([...' .,:;\'′|!iIl']);
const PAREN = new Set([...'()[]°']);
const WIDE = new Set([...'MWmw']);

/** Devanagari combining signs (vowel signs, virama, nukta, anusvara…): they sit on the previous letter. */
function isCombining(code: number): boolean {
  return (code >= 0x0900 && code <= 0x0903) || code === 0x093c || (code >= 0x093e && code <= 0x094f) || (code >= 0x0951 && code <= 0x0957) || code === 0x0962 || code === 0x0963;
}

/**
 * Width of `text` in em, erring wide. Devanagari letters are about 0.62 em in
 * Noto Sans Devanagari; their vowel signs mostly take no extra advance, but
 * ि, ा and ी do, so they count a little.
 */
export function textWidthEm(text: string): number {
  let em = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (code >= 0x0900 && code <= 0x097f) {
      if (!isCombining(code)) em += 0.66;
      else if (code === 0x093e || code === 0x093f || code === 0x0940) em += 0.28;
      else if (code === 0x094d) em += 0.05;
      continue;
    }
    if (NARROW.has(ch)) em += 0.3;
    else if (PAREN.has(ch)) em += 0.4;
    else if (WIDE.has(ch)) em += 0.86;
    else if (ch >= 'A' && ch <= 'Z') em += 0.7;
    else em += 0.6;
  }
  return em;
}

/**
 * Line height in em: more than the font's ascent + descent, so the boxes a
 * browser reports for two rows never touch (Noto Sans Devanagari's are taller).
 */
export function lineHeightEm(lang: LabelLanguage): number {
  return lang === 'hi' ? 1.75 : 1.4;
}
