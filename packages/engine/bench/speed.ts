/** What each benchmarked engine reports. */
export interface SpeedResult {
  /** Prompt processing, tokens per second. */
  readonly ppTokS: number;
  /** Generation (one token per step), tokens per second. */
  readonly tgTokS: number;
  /** Threads actually used. */
  readonly threads: number;
  /** Anything worth printing under the table. */
  readonly note?: string;
}
