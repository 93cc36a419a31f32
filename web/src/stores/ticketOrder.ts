// Where a ticket belongs in a list the server sorted by priority, then creation date.
import type { Priority, Ticket } from '../api/generated';

const RANK: Record<Priority, number> = { critical: 0, high: 1, medium: 2, low: 3 };

// The server owns the creation-date direction; read it off the loaded page rather than guess.
function createdDirection(items: Ticket[]): 1 | -1 {
  for (let i = 1; i < items.length; i++) {
    const a = items[i - 1]!;
    const b = items[i]!;
    if (a.priority === b.priority && a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  }
  return 1;
}

// Index at which `ticket` sorts into `items`; equals items.length when it sorts after everything loaded.
export function placeOf(items: Ticket[], ticket: Ticket): number {
  const direction = createdDirection(items);
  const index = items.findIndex((other) => {
    const byPriority = RANK[other.priority] - RANK[ticket.priority];
    if (byPriority !== 0) return byPriority > 0;
    return (other.createdAt > ticket.createdAt ? 1 : other.createdAt < ticket.createdAt ? -1 : 0) === direction;
  });
  return index === -1 ? items.length : index;
}
