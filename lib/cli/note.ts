import { userIdFor } from '#lib/connect/identity.ts';
import { InputError } from '#lib/errors.ts';
import { addNote, deleteNote, editNote, listNotes, type NotesDeps } from '#lib/notes/notes.ts';
import { noteText } from '#lib/notes/text.ts';
import { localVault } from './connect.ts';
import { openCliContext, type CliContext, type GlobalFlags } from './context.ts';

/**
 * `sinew note add ADDRESS TEXT`, `note edit ID TEXT`, `note list [ADDRESS]`, `note delete
 * ID`: the person's own notes on their contacts (DESIGN section 9), sealed with the local
 * master key under the data directory, as tokens are. The text is printed only by `list`,
 * to the person's own terminal.
 */

export interface NoteFlags extends GlobalFlags {
  /** Whose notes (an address of theirs); default the CLI's current user (the last imported or connected). */
  user?: string;
}

export type NoteCommand =
  | { kind: 'add'; contact: string; text: string }
  | { kind: 'edit'; id: string; text: string }
  | { kind: 'list'; contact?: string }
  | { kind: 'delete'; id: string };

/** Runs one `sinew note` command on the local store. */
export async function runNote(command: NoteCommand, flags: NoteFlags, out: (line: string) => void, now: () => Date): Promise<void> {
  const ctx = await openCliContext(flags);
  try {
    const userId = await noteOwner(ctx, flags);
    const deps: NotesDeps = { store: ctx.store, vault: await localVault(flags), now };
    switch (command.kind) {
      case 'add': {
        const note = await addNote(deps, userId, command.contact, command.text);
        out(`added note ${note.id} about ${note.contact} (${note.text.length} characters)`);
        return;
      }
      case 'edit': {
        const note = await editNote(deps, userId, command.id, command.text);
        out(`edited note ${note.id} about ${note.contact} (${note.text.length} characters)`);
        return;
      }
      case 'delete':
        await deleteNote(deps, userId, command.id);
        out(`deleted note ${command.id}`);
        return;
      case 'list': {
        const notes = await listNotes(deps, userId, command.contact);
        if (notes.length === 0) {
          out(command.contact === undefined ? 'no notes yet: add one with `sinew note add ADDRESS TEXT`' : `no notes about ${command.contact}`);
          return;
        }
        for (const note of notes) {
          out(`${note.id}  ${note.contact}  ${note.at.slice(0, 16).replace('T', ' ')} UTC`);
          out(`    ${noteText(note.text, '    ')}`);
        }
        return;
      }
    }
  } finally {
    await ctx.close();
  }
}

/** The person whose notes these are: `--user`, else the CLI's current user; they must exist. */
async function noteOwner(ctx: CliContext, flags: NoteFlags): Promise<string> {
  const userId = flags.user ? userIdFor(flags.user) : await ctx.defaultUser();
  if (!userId) throw new InputError('no user to keep notes for: run `sinew import` or `sinew connect` first, or pass --user ADDRESS');
  if (!(await ctx.store.getUser(userId))) {
    throw new InputError(`${flags.user ? `--user ${flags.user}` : 'the current user'} is not in this store: run \`sinew import\` or \`sinew connect\` first`);
  }
  return userId;
}
