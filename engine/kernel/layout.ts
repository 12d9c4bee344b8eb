/**
 * How the kernel sees the layout of its own structures. The layouts come from the same C headers
 * a driver includes (the session computes them with the C front end and hands them over), so the
 * kernel and the driver can never disagree about where `vma->vm_pgoff` is.
 */
export interface FieldLayout {
  offset: number;
  sizeBytes: number;
  signed: boolean;
  /** Element count for arrays (the field is the first element). */
  count?: number;
}

export interface StructLayout {
  name: string;
  sizeBytes: number;
  /** A member by name; nested members as 'f_path.dentry'. Throws for an unknown member. */
  field(path: string): FieldLayout;
  has(path: string): boolean;
}

export interface StructLayouts {
  struct(name: string): StructLayout;
  /** sizeof of a typedef'd or basic type name, e.g. 'pgprot_t', 'long'. */
  sizeOfType(name: string): number;
}
