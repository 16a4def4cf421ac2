/** 3725 -> "1 h 2 min 5 s"; for skews and ages. */
export function duration(seconds: number): string {
  let s = Math.round(Math.abs(seconds));
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const parts = [d ? `${d} d` : '', h ? `${h} h` : '', m ? `${m} min` : '', s || (!d && !h && !m) ? `${s} s` : ''].filter(Boolean);
  return parts.slice(0, 3).join(' ');
}
