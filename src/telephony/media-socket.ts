import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { resolveCallSettings } from '../agents/agent-settings.js';
import { tenantScope, type TenantScope } from '../db/tenant-scope.js';
import type { Services } from '../services.js';
import { CallSession } from '../voice/session/call-session.js';
import type { VoiceEngines } from '../voice/engines/voice-engines.js';
import { parseInboundMessage, type InboundMessage } from './media-messages.js';
import { TwilioCallControls, type TransferCallerId } from './twilio-call-controls.js';
import { TwilioMediaChannel } from './twilio-media-channel.js';
import { isValidTwilioSignature, publicUrlFor } from './twilio-signature.js';
import { isSameOriginUpgrade, WEB_MEDIA_PATH, WebCallControls } from './web-call.js';

export const MEDIA_PATH = '/twilio/media';
const MAX_BAD_MESSAGES = 50;
const MAX_WARNINGS_PER_SOCKET = 5;
/** What a real call SID looks like; anything else the sender wrote is not repeated in the logs. */
const CALL_SID = /^CA[0-9a-fA-F]{32}$/;
/** Twilio's Media Streams, or the dashboard's web phone speaking the same protocol (./web-call.ts). */
type MediaSource = 'twilio' | 'web';

export interface MediaSocketOptions {
  startTimeoutMs: number;
}

/**
 * `WS /twilio/media`: Twilio Media Streams. The upgrade must carry Twilio's signature; the
 * `start` message must carry the callToken the voice webhook issued. Bad messages are logged
 * and dropped; a socket that sends nothing valid, or never starts, is closed.
 * `WS /web/media`: the dashboard's web phone, the same protocol and session; its credential is
 * the web-call token in `start` instead of Twilio's signature (see ./web-call.ts).
 */
export function attachMediaSocket(server: Server, services: Services, engines: VoiceEngines, options: MediaSocketOptions) {
  const { config, log, callTokens } = services;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  // Numbers each socket in the logs, so the lines of one connection can be told apart before its call is known.
  let socketCount = 0;
  const sessions = new Set<CallSession>();

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== MEDIA_PATH && path !== WEB_MEDIA_PATH) {
      // Another upgrade handler may serve this path; when there is none, nothing else would ever
      // answer (or close) the socket, so an unknown path would hold a connection open forever.
      if (server.listenerCount('upgrade') === 1) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const refuse = (status: number, reason: string) => {
      log.warn({ event: 'media.upgrade_refused', status, reason, path }, 'media socket refused');
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (path === WEB_MEDIA_PATH) {
      // No Twilio signature here: the web-call token in `start` is the credential.
      if (services.lifecycle.draining) return refuse(503, 'Draining');
      if (!isSameOriginUpgrade(req, config.publicUrl)) return refuse(403, 'Forbidden');
      return wss.handleUpgrade(req, socket, head, (ws) => handleSocket(ws, 'web'));
    }
    if (!config.twilio) return refuse(503, 'Twilio Not Configured');
    if (services.lifecycle.draining) return refuse(503, 'Draining');
    const signature = req.headers['x-twilio-signature'];
    if (!isValidTwilioSignature(config.twilio.authToken, typeof signature === 'string' ? signature : undefined, publicUrlFor(config, req.url ?? '', 'ws'), {})) {
      return refuse(403, 'Forbidden');
    }
    wss.handleUpgrade(req, socket, head, (ws) => handleSocket(ws, 'twilio'));
  });

  function handleSocket(ws: WebSocket, source: MediaSource): void {
    let session: CallSession | undefined;
    let badMessages = 0;
    let socketLog = log.child({ component: 'media', socket: ++socketCount, ...(source === 'web' ? { channel: 'web' } : {}) });
    // Whatever a sender gets wrong, one socket writes at most this many warnings: a flood of
    // garbage must not become a flood of log lines.
    let warnings = 0;
    const warnIgnored = (fields: Record<string, unknown>, message: string) => {
      if (++warnings <= MAX_WARNINGS_PER_SOCKET) socketLog.warn(fields, message);
    };
    const startTimer = setTimeout(() => {
      socketLog.warn({ event: 'media.no_start' }, 'media socket never started; closing');
      ws.close(1008, 'no start');
    }, options.startTimeoutMs);

    const onMessage = (message: InboundMessage) => {
      switch (message.event) {
        case 'connected':
          return;
        case 'start': {
          if (session) return warnIgnored({ event: 'media.duplicate_start' }, 'second start ignored');
          const tokens = source === 'web' ? services.webCallTokens : callTokens;
          const claims = tokens.redeem(message.start.customParameters.callToken ?? '');
          if (!claims || claims.callSid !== message.start.callSid) {
            socketLog.warn({ event: 'media.bad_call_token', callSid: CALL_SID.test(message.start.callSid) ? message.start.callSid : '(malformed)' }, 'invalid callToken; closing');
            ws.close(1008, 'invalid callToken');
            return;
          }
          clearTimeout(startTimer);
          session = startSession(ws, message.streamSid, claims, source);
          socketLog = socketLog.child({ callId: claims.callId, tenantId: claims.tenantId });
          return;
        }
        case 'stop':
          session?.stop('caller_hung_up');
          ws.close(1000, 'stopped');
          return;
        default:
          if (!session) return warnIgnored({ event: 'media.before_start', type: message.event }, 'message before start ignored');
          if (message.event === 'media') {
            if (message.media.track && message.media.track !== 'inbound') return;
            session.onMedia({ mulaw: Buffer.from(message.media.payload, 'base64'), timestampMs: message.media.timestamp });
          } else if (message.event === 'mark') session.onMark(message.mark.name);
          else if (message.event === 'dtmf') session.onDtmf(message.dtmf.digit);
      }
    };

    ws.on('message', (data, isBinary) => {
      const { message, problem } = isBinary ? { problem: 'binary frame', message: undefined } : parseInboundMessage(data.toString());
      if (message) {
        try {
          onMessage(message);
        } catch (error) {
          socketLog.error({ err: error, event: 'media.handler_failed' }, 'media message handler failed');
        }
        return;
      }
      badMessages++;
      warnIgnored({ event: 'media.bad_message', problem }, 'bad media message dropped');
      if (badMessages > MAX_BAD_MESSAGES) ws.close(1008, 'too many bad messages');
    });
    ws.on('error', (error) => socketLog.warn({ err: error, event: 'media.socket_error' }, 'media socket error'));
    ws.on('close', () => clearTimeout(startTimer));
  }

  function startSession(
    ws: WebSocket,
    streamSid: string,
    claims: { callId: string; tenantId: string; agentId: string; callSid: string },
    source: MediaSource,
  ): CallSession | undefined {
    const scope = tenantScope(services.database.db, claims.tenantId);
    const agent = scope.agents.get(claims.agentId);
    if (!agent) {
      ws.close(1011, 'agent gone');
      return undefined;
    }
    const callLog = log.child({ callId: claims.callId, tenantId: claims.tenantId, agentId: agent.id });
    const recorder = services.callWrites.recorder(claims.tenantId, claims.callId, callLog);
    recorder.update({ status: 'in-progress' });
    const settings = resolveCallSettings(agent.settings);
    const session = new CallSession({
      channel: new TwilioMediaChannel(ws, streamSid),
      ...engines,
      stt: engines.sttFor(settings.speech.stt),
      tts: engines.ttsFor(settings.speech.tts),
      speed: settings.speech.speed,
      brain: services.brains({ scope, agent, callId: claims.callId, log: callLog, record: (what, write) => recorder.record(what, write) }),
      recorder,
      controls: source === 'web' ? new WebCallControls(ws, callLog) : new TwilioCallControls(services.twilio, claims.callSid, ws, callLog, transferCallerId(scope, claims.callId, agent.id)),
      log: callLog,
      context: {
        callId: claims.callId,
        tenantId: claims.tenantId,
        agent: { id: agent.id, name: agent.name, greeting: agent.greeting, transferNumber: agent.transferNumber },
      },
      voice: agent.voice ?? undefined,
      ...settings,
    });
    sessions.add(session);
    services.lifecycle.activeCalls = sessions.size;
    services.metrics.callsActive.inc();
    callLog.info({ event: 'call.started' }, 'call started');
    session.start();
    ws.once('close', () => {
      session.stop('socket_closed');
      recorder.end(); // the summary and call.ended event (finish-call.ts), behind the last turns
      sessions.delete(session);
      services.lifecycle.activeCalls = sessions.size;
      services.metrics.callsActive.dec();
      services.metrics.callsTotal.inc({ outcome: 'completed' });
      callLog.info({ event: 'call.ended', bargeIns: session.metrics.bargeInMs.length, falseBargeIns: session.metrics.falseBargeIns }, 'call ended');
    });
    return session;
  }

  return {
    sessions,
    /** Waits for live calls to end, up to the bound, then hangs up the rest. */
    async drain(timeoutMs: number): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (sessions.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      for (const client of wss.clients) client.close(1001, 'server shutting down');
      wss.close();
    },
  };
}

/** A Voice SDK call from the dashboard transfers with the agent's number as caller ID (see TwilioCallControls). */
function transferCallerId(scope: TenantScope, callId: string, agentId: string): TransferCallerId {
  if (scope.calls.get(callId)?.channel !== 'twilio-client') return { kind: 'caller' };
  return { kind: 'agent-number', number: scope.phoneNumbers.list().find((n) => n.agentId === agentId)?.number };
}
