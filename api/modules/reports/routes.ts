// Report endpoints (staff only; JSON or CSV, with a drill-down per report) and the customer's rating of a ticket.
import type { RouteTable } from '../../http/routes';
import { REPORT_NAMES, drillQuery, drillResponse, ratingBody, ratingResponse, reportQuery, reportResponse, type DrillQuery, type RatingBody, type ReportQuery } from './schemas';
import { toCsv, type ReportService } from './service';
import type { RatingService } from './ratings';

const SUMMARIES: Record<(typeof REPORT_NAMES)[number], string> = {
  sla: 'SLA compliance (first response and resolution met/breached) with mean and median business-hours times, grouped by a dimension',
  backlog: 'Open tickets by age band and priority',
  volume: 'Tickets created and resolved per day or week',
  agents: 'Per agent: open assigned tickets (workload) and tickets resolved in the period (throughput)',
  reopens: 'Resolved tickets, how many were reopened and the reopen rate, grouped by a dimension',
  escalations: 'Tickets per escalation level fired, optionally grouped by a dimension',
  satisfaction: 'Customer ratings (count, average, distribution 1–5), grouped by a dimension',
  time: 'Time agents spent (minutes, entries, tickets) per agent, or grouped by a dimension; period is the day or week the time was logged. The period filters by when the time was logged',
  tags: 'Per tag: tickets created and resolved in the period, and open now (agents\' tags; a ticket counts once per tag it carries)',
};

export function reportRoutes(table: RouteTable, reports: ReportService, ratings: RatingService): void {
  for (const name of REPORT_NAMES) {
    table.add<unknown, ReportQuery>({
      method: 'get',
      path: `/api/reports/${name}`,
      summary: `${SUMMARIES[name]}. The period filters by creation date (volume and throughput: by resolution date for resolved). ?format=csv or Accept: text/csv answers the same rows as CSV.`,
      tag: 'reports',
      auth: 'user',
      permission: 'reports.view',
      query: reportQuery,
      responses: { 200: { description: 'The report rows, each with a drill link to its tickets', schema: reportResponse, csv: true }, 403: { description: 'Customers' } },
      handler: async ({ user, query, ctx }) => {
        const report = await reports.run(name, query, user);
        const csv = query.format === 'csv' || (query.format === undefined && ctx.accepts('application/json', 'text/csv') === 'text/csv' && !ctx.get('accept').includes('application/json'));
        if (!csv) return { body: report };
        return {
          body: toCsv(report),
          headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="guichet-${name}.csv"` },
        };
      },
    });
    table.add<unknown, DrillQuery>({
      method: 'get',
      path: `/api/reports/${name}/tickets`,
      summary: `The tickets behind a row (key, or the report's own row parameters) and optionally one figure (measure) of the ${name} report (at most 500)`,
      tag: 'reports',
      auth: 'user',
      permission: 'reports.view',
      query: drillQuery,
      responses: { 200: { description: 'Tickets, newest first', schema: drillResponse }, 403: { description: 'Customers' } },
      handler: async ({ user, query }) => ({ body: await reports.tickets(name, query, user) }),
    });
  }
  table.add({
    method: 'get',
    path: '/api/tickets/:id/rating',
    summary: 'The satisfaction rating of a ticket',
    tag: 'tickets',
    auth: 'user',
    responses: { 200: { description: 'The rating', schema: ratingResponse }, 404: { description: 'No such ticket visible to the caller, or not rated yet' } },
    handler: async ({ user, params }) => ({ body: await ratings.get(user, params.id) }),
  });
  table.add<RatingBody>({
    method: 'put',
    path: '/api/tickets/:id/rating',
    summary: 'Rate a resolved or closed ticket (its requester only): score 1–5 and an optional comment; rating again replaces it',
    tag: 'tickets',
    auth: 'user',
    body: ratingBody,
    responses: {
      200: { description: 'Rating replaced', schema: ratingResponse },
      201: { description: 'Rating created', schema: ratingResponse },
      403: { description: 'Not the requester' },
      404: { description: 'No such ticket visible to the caller' },
      409: { description: 'The ticket is not resolved or closed' },
    },
    handler: async ({ user, params, body }) => {
      const { rating, created } = await ratings.rate(user, params.id, body);
      return { status: created ? 201 : 200, body: rating };
    },
  });
}
