/**
 * PDF text through unpdf (a serverless build of Mozilla's pdf.js; works offline, no native code).
 * Loaded on first use: the bundle is large and most sites link no PDFs.
 */
export async function pdfToText(body: Buffer): Promise<{ text: string; pages: number }> {
  const { extractText, getDocumentProxy } = await import('unpdf');
  // pdf.js takes ownership of (and may detach) the buffer it is given: hand it a copy.
  const pdf = await getDocumentProxy(new Uint8Array(body));
  try {
    const { text, totalPages } = await extractText(pdf, { mergePages: true });
    return { text: text.replace(/[ \t]+\n/g, '\n').trim(), pages: totalPages };
  } finally {
    await pdf.destroy().catch(() => undefined);
  }
}
