import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { createEvent } from 'ics';
import { ErrorBody, EventIdParams } from '@constellation/shared/schemas/common';
import { CirclesProposal, EventReport, MyMatch, Pairing, PairingBody, Proposals } from '@constellation/shared/schemas/ratings';
import { rooms } from '@constellation/shared/realtime/events';
import { HttpError, conflict, notFound } from '../../lib/http-errors.ts';
import { toCsv } from '../../lib/csv.ts';
import { inTransaction } from '../../plugins/db.ts';
import { findEvent, findEventById } from '../events/events.repository.ts';
import { loadEventFeedback, type EventFeedback } from '../ratings/feedback.repository.ts';
import { aboutHeldCircles, loadCircleFeedback, loadHeldCircles } from '../ratings/circles.repository.ts';
import { attendanceViewOf, tallyOf } from '../attendance/attendance.routes.ts';
import { audit, confirmPairing, loadPairing, myConfirmedCircle, myConfirmedMatches, replacePairing, type StoredPair } from './matching.repository.ts';
import { followUpInstant } from './core/follow-up.ts';
import { circleInput, type MatchInput } from './core/index.ts';
import { draftsFor } from '../mail/mail.service.ts';
import { recipientsOf } from '../mail/mail.repository.ts';
import {
  circlesProposalOf,
  explainPairs,
  matchInputOf,
  matchStats,
  notMatched,
  outcomesOf,
  peerWishesOf,
  proposalsOf,
  storedCirclesOf,
  toPairingStats,
  warningsOf,
} from './matching.service.ts';

const ExportParams = Type.Object({ eventId: Type.String({ format: 'uuid' }), kind: Type.Union([Type.Literal('matches'), Type.Literal('ratings'), Type.Literal('preferences'), Type.Literal('attendance'), Type.Literal('circles')]) });
const PartnerParams = Type.Object({ partnerId: Type.String({ format: 'uuid' }) });

/** Mentees who submitted a ranking (or "not a fit" marks). */
function rankedBy(f: EventFeedback): Set<string> {
  return new Set(f.preferences.filter((p) => p.ranking.length + p.notAFit.length > 0).map((p) => p.menteeId));
}

/** The input a pairing is read against: circles seat each mentee once, whatever their constellation size. */
function inputFor(input: MatchInput, source: StoredPair['source'] | null): MatchInput {
  return source === 'circles' ? circleInput(input) : input;
}

/** A participant's circle for their answer: the mentor and the other members, by name only. */
function circleAnswer(circle: Awaited<ReturnType<typeof myConfirmedCircle>>, participantId: string): MyMatch['circle'] {
  if (!circle) return undefined;
  return {
    mentor: { id: circle.mentor.id, name: circle.mentor.name },
    members: circle.members.filter((m) => m.id !== participantId).map(({ id, name }) => ({ id, name })),
  };
}

/** A calendar invitation (.ics) for a first follow-up at the instant the organizer set (core/follow-up.ts). */
function followUpIcs(
  event: { scheduledStart: string; timeZone: string; followUpDays: number; followUpTime: string | null },
  invite: { title: string; description: string; uid: string; minutes: number; attendees: { name: string; email: string }[] },
): string {
  // The follow-up the organizer set (days after the event, local time in the event's zone), as an absolute UTC instant:
  // every calendar shows it on its owner's own clock.
  const start = followUpInstant(event.scheduledStart, event.timeZone, event.followUpDays, event.followUpTime);
  const { error, value } = createEvent({
    start,
    startInputType: 'utc',
    startOutputType: 'utc',
    duration: { minutes: invite.minutes },
    title: invite.title,
    description: invite.description,
    uid: invite.uid,
    attendees: invite.attendees.map((a) => ({ ...a, rsvp: true })),
    status: 'TENTATIVE',
    productId: 'constellation/ics',
  });
  if (error || !value) throw new HttpError(422, 'Could not build the calendar invitation');
  return value;
}

function peopleOf(f: EventFeedback) {
  const people: Record<string, { name: string; role: string }> = {};
  for (const p of f.people) people[p.id] = { name: p.name, role: p.role };
  return people;
}

/** The organizer's side of the final matching: proposals, review, manual changes, confirmation, exports. */
export const matchingRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preHandler', app.requireOrganizer);

  async function context(organizerId: string, eventId: string) {
    const event = await findEvent(app.pg, organizerId, eventId);
    if (!event) throw notFound('Event');
    const feedback = await loadEventFeedback(app.pg, eventId, await app.attendance.heldMeetings(eventId));
    return { event, feedback, input: matchInputOf(feedback, eventId), people: peopleOf(feedback) };
  }

  /** Peer wishes named about circles as held now (a corrected seat takes its wishes back). */
  async function peerWishes(eventId: string, input: MatchInput) {
    const held = await loadHeldCircles(app.pg, app.attendance, eventId);
    return peerWishesOf(aboutHeldCircles(await loadCircleFeedback(app.pg, eventId), held), input);
  }

  async function pairingView(eventId: string, ctx: Awaited<ReturnType<typeof context>>) {
    const stored = await loadPairing(app.pg, eventId);
    const pairs = stored.map(({ mentorId, menteeId }) => ({ mentorId, menteeId }));
    const name = (id: string) => ctx.people[id]?.name ?? id;
    const source = stored[0]?.source ?? null;
    const input = inputFor(ctx.input, source);
    const circles = source === 'circles' ? storedCirclesOf(input, await peerWishes(eventId, input), pairs) : null;
    return {
      status: stored.length === 0 ? ('none' as const) : stored.some((p) => p.status === 'confirmed') ? ('confirmed' as const) : ('proposed' as const),
      source,
      pairs: explainPairs(input, pairs),
      stats: toPairingStats(matchStats(input, pairs)),
      ...(circles ? { circles: circles.circles, mutualWishes: circles.mutualWishes } : {}),
      warnings: warningsOf(input, pairs, name),
      people: ctx.people,
    };
  }

  app.get(
    '/:eventId/matching/proposals',
    { schema: { tags: ['matching'], summary: 'The stable and the welfare-optimal proposals, side by side', params: EventIdParams, response: { 200: Proposals, 401: ErrorBody, 404: ErrorBody } } },
    async (request) => {
      const ctx = await context(request.organizer!.id, request.params.eventId);
      return { ...proposalsOf(ctx.input), people: ctx.people };
    },
  );

  app.get(
    '/:eventId/matching/circles',
    {
      schema: {
        tags: ['matching'],
        summary: 'Circles proposal: each mentor with a circle of up to their capacity, stable, with the most mutual peer wishes, then the best ranks',
        params: EventIdParams,
        response: { 200: CirclesProposal, 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const { eventId } = request.params;
      const ctx = await context(request.organizer!.id, eventId);
      return { ...circlesProposalOf(ctx.input, await peerWishes(eventId, ctx.input)), people: ctx.people };
    },
  );

  app.get(
    '/:eventId/matches',
    { schema: { tags: ['matching'], summary: 'The current pairing with statistics and warnings', params: EventIdParams, response: { 200: Pairing, 401: ErrorBody, 404: ErrorBody } } },
    async (request) => pairingView(request.params.eventId, await context(request.organizer!.id, request.params.eventId)),
  );

  app.put(
    '/:eventId/matches',
    {
      schema: {
        tags: ['matching'],
        summary: 'Propose a pairing: a proposal as is, or adjusted by hand (answers with warnings)',
        params: EventIdParams,
        body: PairingBody,
        response: { 200: Pairing, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody },
      },
    },
    async (request) => {
      const { eventId } = request.params;
      const ctx = await context(request.organizer!.id, eventId);
      const known = new Set(ctx.feedback.people.map((p) => `${p.role}:${p.id}`));
      const bad = request.body.pairs.filter((p) => !known.has(`mentor:${p.mentorId}`) || !known.has(`mentee:${p.menteeId}`));
      if (bad.length) throw new HttpError(422, `Not a mentor and a mentee of this event: ${bad.map((p) => `${p.mentorId}/${p.menteeId}`).join(', ')}`);
      const keys = request.body.pairs.map((p) => `${p.mentorId}:${p.menteeId}`);
      if (new Set(keys).size !== keys.length) throw new HttpError(422, 'A pair appears twice');
      if (request.body.source === 'circles') {
        const seen = new Set<string>();
        const twice = request.body.pairs.filter((p) => seen.size === seen.add(p.menteeId).size).map((p) => ctx.people[p.menteeId]?.name ?? p.menteeId);
        if (twice.length) throw new HttpError(422, `A mentee can sit in only one circle: ${[...new Set(twice)].join(', ')}`);
      }
      await inTransaction(app.pg, async (client) => {
        const current = await loadPairing(client, eventId);
        if (current.some((p) => p.status === 'confirmed')) throw conflict('The matches are already confirmed');
        await replacePairing(client, eventId, request.body.source, request.body.pairs);
        await audit(client, eventId, request.organizer!.id, 'propose', { source: request.body.source, pairs: request.body.pairs });
      });
      return pairingView(eventId, ctx);
    },
  );

  app.post(
    '/:eventId/matches/confirm',
    {
      schema: {
        tags: ['matching'],
        summary: 'Confirm the proposed pairing; every participant is told their own match',
        params: EventIdParams,
        response: { 200: Pairing, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => {
      const { eventId } = request.params;
      const ctx = await context(request.organizer!.id, eventId);
      const followUpAt = new Date(followUpInstant(ctx.event.scheduledStart, ctx.event.timeZone, ctx.event.followUpDays, ctx.event.followUpTime)).toISOString();
      // Confirmation and everyone's outcome email commit together: no confirmed pairing without its mails.
      const answers = await inTransaction(app.pg, async (client) => {
        const n = await confirmPairing(client, eventId);
        if (n === 0) throw conflict('There is no proposed pairing to confirm');
        await audit(client, eventId, request.organizer!.id, 'confirm', { pairs: n });
        const confirmed = (await loadPairing(client, eventId)).filter((p) => p.status === 'confirmed');
        const outcomes = outcomesOf(inputFor(ctx.input, confirmed[0]?.source ?? null), confirmed, rankedBy(ctx.feedback));
        const answers = new Map<string, MyMatch>();
        for (const person of ctx.feedback.people) {
          const matches = await myConfirmedMatches(client, eventId, person.id);
          const circle = circleAnswer(await myConfirmedCircle(client, eventId, person.id), person.id);
          answers.set(person.id, matches.length ? { status: 'confirmed', matches, ...(circle ? { circle } : {}) } : notMatched(outcomes.get(person.id)));
        }
        const recipients = await recipientsOf(client, eventId, null);
        for (const r of recipients) {
          const answer = answers.get(r.id);
          if (answer?.matches.length) answer.followUp = { startsAt: followUpAt, timeZone: r.timeZone ?? ctx.event.timeZone };
        }
        await app.mail.enqueue(
          client,
          draftsFor('outcome', ctx.event, recipients, (r, timeZone) => {
            const answer = answers.get(r.id);
            const matches = answer?.matches ?? [];
            const circle = answer?.circle
              ? { mentor: answer.circle.mentor.id === r.id ? null : answer.circle.mentor.name, others: answer.circle.members.map((m) => m.name) }
              : null;
            return { eventTitle: ctx.event.title, name: r.name, timeZone, matches, followUpAt: matches.length ? followUpAt : null, reason: answer?.reason ?? null, next: answer?.next ?? null, circle };
          }),
        );
        return answers;
      });
      app.mail.kick();
      // Each participant hears only about their own outcome, in their own Socket.IO room: a match, or why not.
      for (const [participantId, answer] of answers) app.io.to(rooms.participant(participantId)).emit('match:confirmed', answer);
      return pairingView(eventId, ctx);
    },
  );

  app.get(
    '/:eventId/export/:kind.csv',
    { schema: { tags: ['matching'], summary: 'CSV export of matches, ratings, preferences, attendance (every seat and what became of it) or circles (mentees\' circle ratings and peer wishes)', params: ExportParams, response: { 200: Type.String(), 401: ErrorBody, 404: ErrorBody } } },
    async (request, reply) => {
      const { eventId, kind } = request.params;
      const ctx = await context(request.organizer!.id, eventId);
      const person = (id: string) => ctx.feedback.people.find((p) => p.id === id);
      const name = (id: string) => person(id)?.name ?? '';
      const email = (id: string) => person(id)?.email ?? '';
      let csv: string;
      if (kind === 'matches') {
        const view = await pairingView(eventId, ctx);
        // A circles pairing: one row per member, with the circle's size and the members they mutually wished for.
        const circleOf = new Map((view.circles ?? []).flatMap((c) => c.menteeIds.map((id) => [id, c] as const)));
        const wishedWith = (menteeId: string) =>
          (circleOf.get(menteeId)?.mutualWishes ?? []).flatMap(([a, b]) => (a === menteeId ? [b] : b === menteeId ? [a] : [])).map(name).join('; ');
        csv = toCsv(
          ['mentor_name', 'mentor_email', 'mentee_name', 'mentee_email', 'status', 'mentee_rank', 'mentor_fit', 'source', 'circle_size', 'circle_mutual_wishes'],
          view.pairs.map((p) => [
            name(p.mentorId),
            email(p.mentorId),
            name(p.menteeId),
            email(p.menteeId),
            view.status,
            p.menteeRank,
            p.mentorFit,
            view.source,
            circleOf.get(p.menteeId)?.menteeIds.length ?? '',
            wishedWith(p.menteeId),
          ]),
        );
      } else if (kind === 'attendance') {
        const attendance = await attendanceViewOf({ pool: app.pg, clock: app.clock, attendance: app.attendance }, eventId);
        csv = toCsv(
          ['round', 'mentor_name', 'mentor_email', 'mentee_name', 'mentee_email', 'seated_by', 'seated_at', 'left_seat_at', 'together_seconds', 'outcome', 'met', 'no_show', 'dropped', 'corrected_by_organizer', 'correction_reason', 'held_after_seconds'],
          attendance.rounds.flatMap((r) =>
            r.seats.map((seat) => [
              seat.round,
              name(seat.mentorId),
              email(seat.mentorId),
              name(seat.menteeId),
              email(seat.menteeId),
              seat.source,
              seat.seatedAt ?? r.startsAt,
              seat.replacedAt ?? (r.ended ? r.endsAt : ''),
              seat.togetherSeconds,
              seat.outcome,
              seat.met,
              seat.noShowIds.map(name).join('; '),
              seat.droppedIds.map(name).join('; '),
              seat.correction !== null,
              seat.correction?.reason ?? '',
              attendance.heldAfterSeconds,
            ]),
          ),
        );
      } else if (kind === 'circles') {
        // One row per circle rating: its peer wishes, by name and email, in one cell each ("; " between).
        const circles = await loadHeldCircles(app.pg, app.attendance, eventId);
        const answers = aboutHeldCircles(await loadCircleFeedback(app.pg, eventId), circles);
        csv = toCsv(
          ['round', 'mentor_name', 'mentor_email', 'mentee_name', 'mentee_email', 'circle_rating', 'note', 'peer_wishes', 'peer_wish_emails'],
          answers.map((a) => [a.round, name(a.mentorId), email(a.mentorId), name(a.menteeId), email(a.menteeId), a.rating, a.note, a.peerIds.map(name).join('; '), a.peerIds.map(email).join('; ')]),
        );
      } else if (kind === 'ratings') {
        csv = toCsv(
          ['mentor_name', 'mentor_email', 'mentee_name', 'mentee_email', 'fit', 'would_mentor', 'note'],
          ctx.feedback.ratings.map((r) => [name(r.mentorId), email(r.mentorId), name(r.menteeId), email(r.menteeId), r.fit, r.wouldMentor, r.note]),
        );
      } else {
        csv = toCsv(
          ['mentee_name', 'mentee_email', 'rank', 'mentor_name', 'mentor_email', 'not_a_fit'],
          ctx.feedback.preferences.flatMap((p) => [
            ...p.ranking.map((m, i) => [name(p.menteeId), email(p.menteeId), i + 1, name(m), email(m), false]),
            ...p.notAFit.map((m) => [name(p.menteeId), email(p.menteeId), null, name(m), email(m), true]),
          ]),
        );
      }
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${kind}-${eventId.slice(0, 8)}.csv"`)
        // A byte-order mark, or Excel reads the UTF-8 as a legacy code page and accented names break.
        .send(`\uFEFF${csv}`);
    },
  );

  app.get(
    '/:eventId/report',
    { schema: { tags: ['matching'], summary: 'Post-event report: attendance, response rates, rank distribution', params: EventIdParams, response: { 200: EventReport, 401: ErrorBody, 404: ErrorBody } } },
    async (request) => {
      const { eventId } = request.params;
      const ctx = await context(request.organizer!.id, eventId);
      const f = ctx.feedback;
      const mentors = f.people.filter((p) => p.role === 'mentor');
      const mentees = f.people.filter((p) => p.role === 'mentee');
      const ratedMentors = new Set(f.ratings.map((r) => r.mentorId));
      const rankedMentees = new Set(f.preferences.filter((p) => p.ranking.length + p.notAFit.length > 0).map((p) => p.menteeId));
      const view = await pairingView(eventId, ctx);
      const counts = new Map<number | null, number>();
      for (const p of view.pairs) counts.set(p.menteeRank, (counts.get(p.menteeRank) ?? 0) + 1);
      const attendance = await attendanceViewOf({ pool: app.pg, clock: app.clock, attendance: app.attendance }, eventId);
      const total = tallyOf(attendance.rounds.flatMap((r) => r.seats));
      return {
        participants: { mentors: mentors.length, mentees: mentees.length },
        roundsHeld: await app.clock.heldRounds(eventId),
        meetingsPlanned: total.planned,
        meetingsHeld: total.held,
        meetingsCutShort: total.cutShort,
        meetingsDropped: total.dropped,
        noShows: total.noShow,
        heldAfterSeconds: attendance.heldAfterSeconds,
        byRound: attendance.rounds.map((r) => ({ round: r.round, ...r.tally })),
        byPerson: attendance.perPerson,
        responseRates: {
          mentorsRated: mentors.length ? ratedMentors.size / mentors.length : 0,
          menteesRanked: mentees.length ? rankedMentees.size / mentees.length : 0,
        },
        matches: view.pairs.length,
        rankDistribution: [...counts.entries()].sort(([a], [b]) => (a ?? 99) - (b ?? 99)).map(([rank, count]) => ({ rank, count })),
      };
    },
  );
};

/** A participant's own confirmed match, and a calendar invitation for the first follow-up. */
export const myMatchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preHandler', app.requireParticipant);

  /** When the first follow-up is, and the zone to show it in: the participant's own, else the event's. */
  async function followUpOf(eventId: string, participantId: string) {
    const { rows } = await app.pg.query<{ scheduled_start: Date; time_zone: string; follow_up_days: number; follow_up_time: string | null; own_zone: string | null }>(
      `SELECT e.scheduled_start, e.time_zone, e.follow_up_days, e.follow_up_time, p.profile->>'timeZone' AS own_zone
         FROM events e JOIN participants p ON p.event_id = e.id WHERE e.id = $1 AND p.id = $2`,
      [eventId, participantId],
    );
    const r = rows[0]!;
    return { startsAt: new Date(followUpInstant(r.scheduled_start.toISOString(), r.time_zone, r.follow_up_days, r.follow_up_time)).toISOString(), timeZone: r.own_zone ?? r.time_zone };
  }

  app.get(
    '/match',
    { schema: { tags: ['matching'], summary: 'My confirmed match(es), once the organizer confirmed them', response: { 200: MyMatch, 401: ErrorBody } } },
    async (request) => {
      const { eventId, participantId } = request.participantSession!;
      const matches = await myConfirmedMatches(app.pg, eventId, participantId);
      if (matches.length) {
        const circle = circleAnswer(await myConfirmedCircle(app.pg, eventId, participantId), participantId);
        return { status: 'confirmed' as const, matches, followUp: await followUpOf(eventId, participantId), ...(circle ? { circle } : {}) };
      }
      const pairing = (await loadPairing(app.pg, eventId)).filter((p) => p.status === 'confirmed');
      if (pairing.length === 0) return { status: 'pending' as const, matches };
      // Confirmed without them: the reason, from the same reading of the pairing the organizer saw.
      const feedback = await loadEventFeedback(app.pg, eventId, await app.attendance.heldMeetings(eventId));
      return notMatched(outcomesOf(inputFor(matchInputOf(feedback, eventId), pairing[0]!.source), pairing, rankedBy(feedback)).get(participantId));
    },
  );

  app.get(
    '/match/circle/invite.ics',
    { schema: { tags: ['matching'], summary: "Group calendar invitation for my circle's first meeting: the mentor and every member", response: { 200: Type.String(), 401: ErrorBody, 404: ErrorBody } } },
    async (request, reply) => {
      const { eventId } = request.participantSession!;
      const circle = await myConfirmedCircle(app.pg, eventId, request.participantSession!.participantId);
      if (!circle) throw notFound('Circle');
      const event = (await findEventById(app.pg, eventId))!;
      const value = followUpIcs(event, {
        title: `Mentoring circle with ${circle.mentor.name}`,
        description: `Your circle's first meeting after "${event.title}": ${circle.mentor.name} with ${circle.members.map((m) => m.name).join(', ')}. Move it to a time that suits you all.`,
        // One UID for the whole circle: each member's calendar holds the same meeting.
        uid: `${eventId}-circle-${circle.mentor.id}@constellation`,
        minutes: 60,
        attendees: [circle.mentor, ...circle.members].map(({ name, email }) => ({ name, email })),
      });
      return reply.type('text/calendar; charset=utf-8').header('content-disposition', 'attachment; filename="mentoring-circle.ics"').send(value);
    },
  );

  app.get(
    '/match/:partnerId/invite.ics',
    { schema: { tags: ['matching'], summary: 'Calendar invitation for the first follow-up meeting with my match', params: PartnerParams, response: { 200: Type.String(), 401: ErrorBody, 404: ErrorBody } } },
    async (request, reply) => {
      const { eventId, participantId } = request.participantSession!;
      const match = (await myConfirmedMatches(app.pg, eventId, participantId)).find((m) => m.participantId === request.params.partnerId);
      if (!match) throw notFound('Match');
      const [event, me] = await Promise.all([
        findEventById(app.pg, eventId),
        app.pg.query<{ name: string; email: string }>('SELECT name, email::text AS email FROM participants WHERE id = $1', [participantId]),
      ]);
      const self = me.rows[0]!;
      const value = followUpIcs(event!, {
        title: `Mentoring: ${match.role === 'mentor' ? match.name : self.name} & ${match.role === 'mentor' ? self.name : match.name}`,
        description: `Your first follow-up after "${event!.title}". Move it to a time that suits you both.`,
        uid: `${eventId}-${[participantId, match.participantId].sort().join('-')}@constellation`,
        minutes: 30,
        attendees: [
          { name: self.name, email: self.email },
          { name: match.name, email: match.email },
        ],
      });
      return reply.type('text/calendar; charset=utf-8').header('content-disposition', 'attachment; filename="mentoring.ics"').send(value);
    },
  );
};
