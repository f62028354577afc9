// What the Calendar shows, kept while the user visits other screens, so
// coming back lands on the same day, view and clinician.
import { mondayOf, startOfDay } from '../../lib/datetime';

export type CalendarView = 'day' | 'week';

class CalendarState {
  // The day first: the front desk works through today; Week is one click away.
  view = $state<CalendarView>('day');
  /** any instant of the day shown (day view) or of the week shown */
  anchor = $state<Date>(startOfDay(new Date()));
  /** "" = every clinician; null = not chosen yet (the signed-in clinician's own) */
  staffId = $state<string | null>(null);
  showCancelled = $state(false);

  get from(): Date {
    return this.view === 'day' ? startOfDay(this.anchor) : mondayOf(this.anchor);
  }

  get days(): number {
    return this.view === 'day' ? 1 : 7;
  }
}

export const calendarState = new CalendarState();
