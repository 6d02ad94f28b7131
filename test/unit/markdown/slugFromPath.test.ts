import { describe, expect, it } from 'vitest';
import { slugFromPath } from '../../../src/markdown/slugFromPath.js';

describe('slugFromPath', () => {
  it('lower-cases, strips the extension and turns spaces into dashes', () => {
    expect(slugFromPath('Projects/Q3 Plan.md')).toBe('projects/q3-plan');
  });

  it('strips .md and .markdown in any letter case', () => {
    expect(slugFromPath('a/Note.MD')).toBe('a/note');
    expect(slugFromPath('a/Note.Markdown')).toBe('a/note');
    expect(slugFromPath('a/Note.txt')).toBe('a/note.txt');
  });

  it('keeps dots, underscores and dashes inside a segment', () => {
    expect(slugFromPath('v1.2_notes-final.md')).toBe('v1.2_notes-final');
  });

  it('collapses a run of other characters into one dash and trims dashes at segment ends', () => {
    expect(slugFromPath('Daily/  (draft) what?! .md')).toBe('daily/draft-what');
    expect(slugFromPath('a & b/c+d.md')).toBe('a-b/c-d');
  });

  it('keeps dashes that were in the name, since they are allowed characters', () => {
    expect(slugFromPath('Q3 - Plan.md')).toBe('q3---plan');
  });

  it('drops empty segments', () => {
    expect(slugFromPath('/a//b/ ? /c.md')).toBe('a/b/c');
  });

  it('names a file whose name leaves nothing by a hash of its path instead of an empty slug', () => {
    const rocket = slugFromPath('🚀.md');
    expect(rocket).toMatch(/^page-[0-9a-f]{8}$/);
    expect(slugFromPath('🚀.md')).toBe(rocket);
    expect(slugFromPath('🎉.md')).toMatch(/^page-[0-9a-f]{8}$/);
    expect(slugFromPath('🎉.md')).not.toBe(rocket);
    expect(slugFromPath('!!!.md')).toMatch(/^page-[0-9a-f]{8}$/);
    expect(slugFromPath('ideas/🚀.md')).toMatch(/^ideas\/page-[0-9a-f]{8}$/);
    expect(slugFromPath('ideas/🚀.md')).not.toBe(`ideas/${rocket}`);
    expect(slugFromPath('a/..md')).toMatch(/^a\/page-[0-9a-f]{8}$/);
    expect(slugFromPath('a/🚀 launch.md')).toBe('a/launch');
  });

  it('keeps Unicode letters, digits and combining marks', () => {
    expect(slugFromPath('Notizen/Über Straße.md')).toBe('notizen/über-straße');
    expect(slugFromPath('日本語/メモ 1.md')).toBe('日本語/メモ-1');
    expect(slugFromPath('हिन्दी नोट.md')).toBe('हिन्दी-नोट');
  });

  it('gives the same slug for composed and decomposed accents', () => {
    const composed = 'Caf\u00e9.md';
    const decomposed = 'Cafe\u0301.md';
    expect(slugFromPath(decomposed)).toBe(slugFromPath(composed));
    expect(slugFromPath(composed)).toBe('caf\u00e9');
  });

  it('is idempotent', () => {
    for (const path of ['Projects/Q3 Plan.md', 'a & b/c+d.md', 'Notizen/Über Straße.md', 'x/🚀.md']) {
      const slug = slugFromPath(path);
      expect(slugFromPath(slug)).toBe(slug);
    }
  });
});
