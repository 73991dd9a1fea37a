/**
 * Text each charset can hold, as real names and subjects write it: the samples the RFC 2047
 * decoder is compared with libmime on (test/providers/files/encoded-words.test.ts) and
 * run bundled (test/infra/bundle-shims.test.ts). Every charset here is one iconv-lite can
 * encode the headers in (ISO-2022-JP, which it cannot, is the decoder test's own case).
 */
export const CHARSET_SAMPLES: ReadonlyArray<readonly [charset: string, text: string]> = [
  ['utf-8', 'Zoë Åström — 東京 ✓ 🎉'],
  ['iso-8859-1', 'Renée Ångström, Köln'],
  ['iso-8859-2', 'Łukasz Żółć, Brno'],
  ['iso-8859-15', 'Béatrice Œuvre 5 €'],
  ['windows-1250', 'Dvořák Šťastný'],
  ['windows-1251', 'Дмитрий Шостакович'],
  ['windows-1252', 'François “Frank” Müller – 5 €'],
  ['koi8-r', 'Пётр Чайковский'],
  ['gbk', '王小明 张伟'],
  ['gb18030', '王小明 𠀀'],
  ['big5', '陳大文 台北'],
  ['shift_jis', '山田太郎 ｶﾀｶﾅ'],
  ['euc-jp', '鈴木一郎'],
  ['euc-kr', '김철수 서울'],
  ['iso-8859-7', 'Νίκος Καζαντζάκης'],
  ['windows-1255', 'דוד בן-גוריון'],
  ['utf-16le', 'Zoë 東京'],
];
