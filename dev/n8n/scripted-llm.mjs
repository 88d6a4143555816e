// A scripted, OpenAI-compatible chat model on 127.0.0.1 for the AI-agent example, so the agent ->
// Samespace tool path runs headlessly with no model and no network. n8n ships no chat model node
// that runs offline by itself; its "OpenAI Chat Model" node talks to any OpenAI-compatible server
// through the credential's Base URL, which is what this is (and what a local Ollama / LM Studio
// would be for a user who wants a real model offline).
//
// Script, on POST /v1/chat/completions (streaming or not):
//   - the last message is a tool result  -> a one-sentence final answer quoting the call id (or,
//     when a human review declined the tool call, saying that it was not approved);
//   - tools are offered                   -> one call of the tool whose name or description
//     mentions Samespace / phone / call, its arguments filled from the user's message: properties
//     named like phone/number get the first phone number in it, message/text the quoted text
//     (or the whole message), anything else an empty string; object properties (a human review
//     wraps the tool's own arguments in `toolParameters`) are filled the same way inside;
//   - otherwise                            -> an answer that says no tool was offered.
// GET /v1/models lists one model (the editor's model picker asks for it).
import http from 'node:http';

export const SCRIPTED_MODEL = 'gpt-4.1-mini';

const PHONE = /\+?\d[\d\s().-]{6,}\d/;
const QUOTED = /["“]([^"”]+)["”]/;

function textOf(content) {
	if (typeof content === 'string') return content;
	if (Array.isArray(content))
		return content.map((p) => (typeof p === 'string' ? p : (p.text ?? ''))).join('');
	return '';
}

function pickTool(tools) {
	const fns = (tools ?? []).map((t) => t.function ?? t).filter(Boolean);
	return (
		fns.find((f) => /samespace|phone|call/i.test(`${f.name} ${f.description ?? ''}`)) ?? fns[0]
	);
}

/** Arguments for a JSON schema; an object property (a human review's `toolParameters`) recursively. */
function argumentsOf(parameters, userText) {
	const props = parameters?.properties ?? {};
	const args = {};
	for (const [key, schema] of Object.entries(props)) {
		const hint = `${key} ${schema?.description ?? ''}`;
		if (schema?.type === 'object') args[key] = argumentsOf(schema, userText);
		else if (/phone|number/i.test(key)) args[key] = (PHONE.exec(userText)?.[0] ?? '').trim();
		else if (/message|text|say|speak/i.test(hint))
			args[key] = QUOTED.exec(userText)?.[1] ?? userText;
		else args[key] = schema?.type === 'number' ? 0 : schema?.type === 'boolean' ? false : '';
	}
	return args;
}

/** Decide the next assistant message for a chat completions request. */
export function respond(body) {
	const messages = body.messages ?? [];
	const last = messages[messages.length - 1] ?? {};
	const userText = textOf([...messages].reverse().find((m) => m.role === 'user')?.content);
	if (last.role === 'tool') {
		const result = textOf(last.content);
		// A human review (for example an approval by phone) that said no.
		if (
			/reject|declin|denied|not approved|no valid key|nobody answered/i.test(result) &&
			!/"call_id"/.test(result)
		) {
			return {
				content: `The call was not approved, so I did not phone anyone. (${result.slice(0, 200)})`,
			};
		}
		const callId = /"call_id"\s*:\s*"([^"]+)"/.exec(result)?.[1];
		const failed = /"error"/.test(result) && !callId;
		return {
			content: failed
				? `I could not place the call: ${result.slice(0, 300)}`
				: `Done: Samespace accepted the call${callId ? ` (call id ${callId})` : ''}.`,
		};
	}
	const fn = pickTool(body.tools);
	if (fn) {
		return {
			toolCall: {
				id: `call_${Math.random().toString(36).slice(2, 10)}`,
				name: fn.name,
				arguments: JSON.stringify(argumentsOf(fn.parameters, userText)),
			},
		};
	}
	return { content: `No tool was offered, so I cannot place a call. You said: ${userText}` };
}

/** The assistant's message (or, streamed, its delta: a tool call then carries its index). */
function message(reply, streamed = false) {
	if (!reply.toolCall) return { role: 'assistant', content: reply.content };
	const { id, name, arguments: args } = reply.toolCall;
	const call = { id, type: 'function', function: { name, arguments: args } };
	return {
		role: 'assistant',
		content: null,
		tool_calls: [streamed ? { index: 0, ...call } : call],
	};
}

/** The answer to a chat completions request: one JSON object, or the chunks of a stream. */
function answer(body, reply) {
	const base = {
		id: `chatcmpl-${Date.now()}`,
		object: body.stream ? 'chat.completion.chunk' : 'chat.completion',
		created: Math.floor(Date.now() / 1000),
		model: body.model ?? SCRIPTED_MODEL,
	};
	const usage = { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 };
	const finish = reply.toolCall ? 'tool_calls' : 'stop';
	if (!body.stream) {
		const choice = { index: 0, message: message(reply), logprobs: null, finish_reason: finish };
		return { ...base, choices: [choice], usage };
	}
	const chunk = (delta, finishReason = null) => ({
		...base,
		choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
	});
	return [chunk(message(reply, true)), chunk({}, finish), { ...base, choices: [], usage }];
}

export class ScriptedLlm {
	static async start({ port = 0, host = '127.0.0.1' } = {}) {
		const llm = new ScriptedLlm();
		await new Promise((resolve, reject) => {
			llm.server.once('error', reject);
			llm.server.listen(port, host, resolve);
		});
		llm.port = llm.server.address().port;
		llm.baseUrl = `http://${host}:${llm.port}/v1`;
		return llm;
	}

	constructor() {
		/** Every chat completions request body, with the reply chosen. */
		this.requests = [];
		// A request cut off mid-body is dropped.
		this.server = http.createServer((req, res) => this.handle(req, res).catch(() => res.destroy()));
	}

	async handle(req, res) {
		const chunks = [];
		for await (const chunk of req) chunks.push(chunk);
		const url = (req.url ?? '').split('?')[0];
		const send = (status, obj) => {
			const text = JSON.stringify(obj);
			res.writeHead(status, {
				'content-type': 'application/json',
				'content-length': Buffer.byteLength(text),
			});
			res.end(text);
		};
		if (req.method === 'GET' && /\/models$/.test(url)) {
			return send(200, {
				object: 'list',
				data: [{ id: SCRIPTED_MODEL, object: 'model', created: 0, owned_by: 'scripted' }],
			});
		}
		if (req.method === 'POST' && /\/chat\/completions$/.test(url)) {
			let body;
			try {
				body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
			} catch {
				return send(400, { error: { message: 'invalid JSON' } });
			}
			const reply = respond(body);
			this.requests.push({ body, reply, time: Date.now() });
			if (body.stream) {
				res.writeHead(200, {
					'content-type': 'text/event-stream',
					'cache-control': 'no-cache',
					connection: 'keep-alive',
				});
				for (const c of answer(body, reply)) res.write(`data: ${JSON.stringify(c)}\n\n`);
				res.end('data: [DONE]\n\n');
				return;
			}
			return send(200, answer(body, reply));
		}
		return send(404, { error: { message: `scripted model: no route for ${req.method} ${url}` } });
	}

	/** The tool calls the model made, parsed. */
	get toolCalls() {
		return this.requests
			.filter((r) => r.reply.toolCall)
			.map((r) => ({
				name: r.reply.toolCall.name,
				arguments: JSON.parse(r.reply.toolCall.arguments),
			}));
	}

	async close() {
		this.server.closeAllConnections();
		await new Promise((resolve) => this.server.close(resolve));
	}
}
