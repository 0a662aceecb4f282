import { loadRDKit } from '@posepool/featurizers';

interface JsonAtom {
  z?: number;
  impHs?: number;
  stereo?: string;
  [key: string]: unknown;
}
interface JsonBond {
  atoms: [number, number];
  bo?: number;
  stereo?: string;
  stereoAtoms?: number[];
  [key: string]: unknown;
}
interface JsonMolecule {
  atoms: JsonAtom[];
  bonds?: JsonBond[];
  extensions?: Array<{ name: string; atomRings?: number[][] }>;
  [key: string]: unknown;
}
interface RdkitJson {
  defaults: { atom: JsonAtom; bond: { bo?: number } };
  molecules: JsonMolecule[];
  [key: string]: unknown;
}

/**
 * The Bemis–Murcko scaffold of a molecule as canonical SMILES: ring systems and the linkers
 * between them, plus atoms double-bonded to those (exocyclic `=O`), each cut bond replaced by
 * implicit hydrogens; stereo and coordinates dropped; `''` for an acyclic molecule. RDKit.js has no Murcko API, so
 * this follows RDKit's `MurckoDecompose` rules on RDKit's JSON form of the molecule and lets RDKit
 * canonicalise the result.
 *
 * @param molecule - a molblock or SMILES
 * @returns the scaffold SMILES, or `undefined` when RDKit cannot read the molecule
 * @example
 * ```ts
 * await murckoScaffold('Cc1cc(Oc2nccc(CCC)c2)ccc1'); // 'c1ccc(Oc2ccccn2)cc1'
 * ```
 */
export async function murckoScaffold(molecule: string): Promise<string | undefined> {
  const RDKit = await loadRDKit();
  const mol = RDKit.get_mol(molecule, JSON.stringify({ removeHs: true }));
  if (mol === null || !mol.is_valid()) {
    mol?.delete();
    return undefined;
  }
  let json: RdkitJson;
  try {
    json = JSON.parse(mol.get_json()) as RdkitJson;
  } finally {
    mol.delete();
  }
  const molecule0 = json.molecules[0]!;
  const bonds = molecule0.bonds ?? [];
  const order = (b: JsonBond): number => b.bo ?? json.defaults.bond.bo ?? 1;
  const rings = new Set((molecule0.extensions ?? []).flatMap((e) => e.atomRings ?? []).flat());
  if (rings.size === 0) return '';
  const neighbours = molecule0.atoms.map(() => [] as Array<{ atom: number; bond: JsonBond }>);
  for (const bond of bonds) {
    neighbours[bond.atoms[0]]!.push({ atom: bond.atoms[1], bond });
    neighbours[bond.atoms[1]]!.push({ atom: bond.atoms[0], bond });
  }
  // Prune side chains: non-ring atoms with at most one kept neighbour, until none is left.
  const kept = new Set(molecule0.atoms.map((_, i) => i));
  for (let changed = true; changed; ) {
    changed = false;
    for (const atom of kept) {
      if (!rings.has(atom) && neighbours[atom]!.filter((n) => kept.has(n.atom)).length <= 1) {
        kept.delete(atom);
        changed = true;
      }
    }
  }
  const core = new Set(kept);
  for (const atom of core) for (const n of neighbours[atom]!) if (order(n.bond) === 2) kept.add(n.atom);

  const index = new Map([...kept].sort((a, b) => a - b).map((atom, k) => [atom, k]));
  const atoms = [...index.keys()].map((atom) => {
    const { stereo: _, ...rest } = molecule0.atoms[atom]!;
    const cut = neighbours[atom]!.filter((n) => !kept.has(n.atom)).reduce((s, n) => s + order(n.bond), 0);
    return cut === 0 ? rest : { ...rest, impHs: (rest.impHs ?? json.defaults.atom.impHs ?? 0) + cut };
  });
  const keptBonds = bonds
    .filter((b) => kept.has(b.atoms[0]) && kept.has(b.atoms[1]))
    .map(({ stereo: _s, stereoAtoms: _a, ...b }) => ({ ...b, atoms: [index.get(b.atoms[0])!, index.get(b.atoms[1])!] }));
  const { extensions: _e, conformers: _c, ...rest } = molecule0;
  const scaffold = RDKit.get_mol(JSON.stringify({ ...json, molecules: [{ ...rest, atoms, bonds: keptBonds }] }));
  if (scaffold === null) return undefined;
  try {
    return scaffold.is_valid() ? scaffold.get_smiles() : undefined;
  } finally {
    scaffold.delete();
  }
}
