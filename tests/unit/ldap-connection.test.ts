// The directory value helpers: Active Directory's objectGUID as text, DN comparison, and how failures are classified.
import { InvalidCredentialsError, NoSuchObjectError } from 'ldapts';
import { attributeText, attributeTexts, classify, normaliseDn } from '../../platform/ldap/connection';

describe('directory values', () => {
  it('should show objectGUID bytes the way Active Directory does', () => {
    // {3f2504e0-4f89-11d3-9a0c-0305e82c3301} is stored as e0 04 25 3f 89 4f d3 11 9a 0c 03 05 e8 2c 33 01.
    const bytes = Buffer.from('e004253f894fd3119a0c0305e82c3301', 'hex');
    expect(attributeText(bytes, 'objectGUID')).toBe('3f2504e0-4f89-11d3-9a0c-0305e82c3301');
    expect(attributeText([bytes], 'objectGuid')).toBe('3f2504e0-4f89-11d3-9a0c-0305e82c3301');
    expect(attributeText(Buffer.from('ab', 'hex'), 'other')).toBe('ab');
  });

  it('should take the first value, and none for empty ones', () => {
    expect(attributeText(['a', 'b'])).toBe('a');
    expect(attributeText('  ')).toBeNull();
    expect(attributeText(undefined)).toBeNull();
    expect(attributeText([])).toBeNull();
    expect(attributeTexts(['x', '', 'y'])).toEqual(['x', 'y']);
    expect(attributeTexts('x')).toEqual(['x']);
    expect(attributeTexts(undefined)).toEqual([]);
  });

  it('should compare DNs without regard to case or spaces around separators', () => {
    expect(normaliseDn('CN=Desk Admins, OU=Groups , DC=Example,DC=com')).toBe(normaliseDn('cn=desk admins,ou=groups,dc=example,dc=com'));
    expect(normaliseDn('cn = a,dc=b')).toBe('cn=a,dc=b');
  });

  it('should classify failures into stable problem codes', () => {
    expect(classify(new InvalidCredentialsError('x'), 'bind').code).toBe('directory-bind-failed');
    expect(classify(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }), 'connect').code).toBe('directory-unreachable');
    expect(classify(new Error('self-signed certificate'), 'connect').code).toBe('directory-tls-failed');
    expect(classify(new NoSuchObjectError('no such object'), 'search').code).toBe('directory-search-failed');
  });
});
