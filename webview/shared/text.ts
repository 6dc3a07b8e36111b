// Text as the panels show a token of it: whitespace made visible (a token may be a space, a tab or a line break).

/** ' ' → '·', TAB → '⇥', line break → '⏎'. */
export const shown = (t: string): string => t.replace(/\n/g, '⏎').replace(/\t/g, '⇥').replace(/ /g, '·');
