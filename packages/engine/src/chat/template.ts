/**
 * Chat prompts from the model's own template (`tokenizer.chat_template`, Jinja, as
 * transformers' `apply_chat_template` renders it), rendered with `@huggingface/jinja`.
 */
import { Template } from '@huggingface/jinja';

/** One turn of a conversation. */
export interface ChatMessage {
  /** `system`, `user`, `assistant`, or whatever roles the template knows. */
  readonly role: string;
  readonly content: string;
}

/** Options of {@link renderChatTemplate}. */
export interface ChatTemplateOptions {
  /** End with the opening of an assistant turn, so that generation writes the reply. Default true. */
  addGenerationPrompt?: boolean;
  /** Further variables for the template (e.g. `{ enable_thinking: false }`). */
  variables?: Record<string, unknown>;
}

/** What the template sees besides the messages: the vocabulary's special token texts. */
export interface ChatTemplateTokens {
  readonly bosToken: string;
  readonly eosToken: string;
}

const compiled = new Map<string, Template>();

/**
 * Renders `messages` with a Jinja chat template. Throws a TypeError naming the problem
 * when the template does not parse or fails while rendering.
 */
export function renderChatTemplate(template: string, messages: readonly ChatMessage[], tokens: ChatTemplateTokens, opts: ChatTemplateOptions = {}): string {
  let t = compiled.get(template);
  if (!t) {
    try {
      t = new Template(template);
    } catch (err) {
      throw new TypeError(`the chat template does not parse: ${(err as Error).message}`);
    }
    compiled.set(template, t);
  }
  try {
    return t.render({
      ...opts.variables,
      messages: messages.map((m) => ({ role: m.role, content: m.content })),
      add_generation_prompt: opts.addGenerationPrompt ?? true,
      bos_token: tokens.bosToken,
      eos_token: tokens.eosToken,
    });
  } catch (err) {
    throw new TypeError(`the chat template failed to render: ${(err as Error).message}`);
  }
}
