import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { resolveCallSettings } from '../agents/agent-settings.js';
import { tenantScope } from '../db/tenant-scope.js';
import type { Services } from '../services.js';
import { CallRecorder } from '../voice/session/call-recorder.js';
import { CallSession } from '../voice/session/call-session.js';
import { finishCall } from '../voice/session/finish-call.js';
import type { VoiceEngines } from '../voice/engines/voice-engines.js';
import { parseInboundMessage, type InboundMessage } from './media-messages.js';
import { TwilioCallControls } from './twilio-call-controls.js';
import { TwilioMediaChannel } from './twilio-media-channel.js';
import { isValidTwilioSignature, publicUrlFor } from './twilio-signature.js';

export const MEDIA_PATH = '/twilio/media';
const MAX_BAD_MESSAGES = 50;

export interface MediaSocketOptions {
  startTimeoutMs: number;
}

/**
 * `WS /twilio/media`: Twilio Media Streams. The upgrade must carry Twilio's signature; the
 * `start` message must carry the callToken the voice webhook issued. Bad messages are logged
 * and dropped; a socket that sends nothing valid, or never starts, is closed.
 */
export function attachMediaSocket(server: Server, services: Services, engines: VoiceEngines, options: MediaSocketOptions) {
  const { config, log, callTokens } = services;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const sessions = new Set<CallSession>();

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== MEDIA_PATH) return; // other upgrade paths (the web phone) have their own handler
    const refuse = (status: number, reason: string) => {
      log.warn({ event: 'media.upgrade_refused', status, reason }, 'media socket refused');
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!config.twilio) return refuse(503, 'Twilio Not Configured');
    if (services.lifecycle.draining) return refuse(503, 'Draining');
    const signature = req.headers['x-twilio-signature'];
    if (!isValidTwilioSignature(config.twilio.authToken, typeof signature === 'string' ? signature : undefined, publicUrlFor(config, req.url ?? '', 'ws'), {})) {
      return refuse(403, 'Forbidden');
    }
    wss.handleUpgrade(req, socket, head, (ws) => handleSocket(ws));
  });

  function handleSocket(ws: WebSocket): void {
    let session: CallSession | undefined;
    let badMessages = 0;
    let socketLog = log.child({ component: 'media' });
    const startTimer = setTimeout(() => {
      socketLog.warn({ event: 'media.no_start' }, 'media socket never started; closing');
      ws.close(1008, 'no start');
    }, options.startTimeoutMs);

    const onMessage = (message: InboundMessage) => {
      switch (message.event) {
        case 'connected':
          return;
        case 'start': {
          if (session) return socketLog.warn({ event: 'media.duplicate_start' }, 'second start ignored');
          const claims = callTokens.redeem(message.start.customParameters.callToken ?? '');
          if (!claims || claims.callSid !== message.start.callSid) {
            socketLog.warn({ event: 'media.bad_call_token', callSid: message.start.callSid }, 'invalid callToken; closing');
            ws.close(1008, 'invalid callToken');
            return;
          }
          clearTimeout(startTimer);
          session = startSession(ws, message.streamSid, claims);
          socketLog = socketLog.child({ callId: claims.callId, tenantId: claims.tenantId });
          return;
        }
        case 'stop':
          session?.stop('caller_hung_up');
          ws.close(1000, 'stopped');
          return;
        default:
          if (!session) return socketLog.warn({ event: 'media.before_start', type: message.event }, 'message before start ignored');
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
      if (badMessages <= 5) socketLog.warn({ event: 'media.bad_message', problem }, 'bad media message dropped');
      if (badMessages > MAX_BAD_MESSAGES) ws.close(1008, 'too many bad messages');
    });
    ws.on('error', (error) => socketLog.warn({ err: error, event: 'media.socket_error' }, 'media socket error'));
    ws.on('close', () => clearTimeout(startTimer));
  }

  function startSession(ws: WebSocket, streamSid: string, claims: { callId: string; tenantId: string; agentId: string; callSid: string }): CallSession | undefined {
    const scope = tenantScope(services.database.db, claims.tenantId);
    const agent = scope.agents.get(claims.agentId);
    if (!agent) {
      ws.close(1011, 'agent gone');
      return undefined;
    }
    const callLog = log.child({ callId: claims.callId, tenantId: claims.tenantId, agentId: agent.id });
    const recorder = new CallRecorder(scope, claims.callId, callLog);
    recorder.update({ status: 'in-progress' });
    const settings = resolveCallSettings(agent.settings);
    const session = new CallSession({
      channel: new TwilioMediaChannel(ws, streamSid),
      ...engines,
      stt: engines.sttFor(settings.speech.stt),
      tts: engines.ttsFor(settings.speech.tts),
      speed: settings.speech.speed,
      brain: services.brains({ scope, agent, callId: claims.callId, log: callLog }),
      recorder,
      controls: new TwilioCallControls(services.twilio, claims.callSid, ws, callLog),
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
    services.metrics.callsActive.inc();
    callLog.info({ event: 'call.started' }, 'call started');
    session.start();
    ws.once('close', () => {
      session.stop('socket_closed');
      finishCall(services.database, scope, claims.callId, callLog);
      sessions.delete(session);
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
