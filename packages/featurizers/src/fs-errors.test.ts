import { describe, expect, it } from 'vitest';

import { InputError } from './errors.js';
import { fileSystemError } from './fs-errors.js';

const nodeError = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: raw message, open '/x'`), { code });

describe('fileSystemError', () => {
  it.each([
    ['EACCES', /data\/pocket\.pdb: cannot read: permission denied\. Make it readable/],
    ['EPERM', /operation not permitted\. Check its permissions/],
    ['ELOOP', /is a symbolic link loop\. Point the link at a real file\./],
    ['ENOTDIR', /a part of the path is a file, not a folder\. Check the path\./],
    ['EISDIR', /is a folder where a file is expected\. Name the file inside it\./],
    ['EROFS', /is on a read-only file system\. Choose a writable location\./],
    ['ENOSPC', /no space left on the device/],
    ['EWHATEVER', /data\/pocket\.pdb: cannot read: EWHATEVER: EWHATEVER: raw message.*\. Check the path and its permissions\./],
  ])('maps %s to an InputError naming the path and the fix, keeping the cause', (code, message) => {
    const cause = nodeError(code);
    const error = fileSystemError('data/pocket.pdb', cause);
    expect(error).toBeInstanceOf(InputError);
    expect(error.code).toBe('E_INPUT');
    expect(error.file).toBe('data/pocket.pdb');
    expect(error.message).toMatch(message);
    expect(error.cause).toBe(cause);
  });

  it('passes InputErrors through', () => {
    const error = new InputError({ file: 'a.sdf', line: 2 }, 'bad');
    expect(fileSystemError('a.sdf', error)).toBe(error);
  });
});
