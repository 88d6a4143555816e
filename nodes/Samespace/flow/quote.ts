/** Values quoted in messages are cut, so a 100,000-character field does not become the message. */
export function shorten(text: string, max = 60): string {
	return text.length > max ? `${text.slice(0, max)}…` : text;
}
